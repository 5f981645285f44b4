// CSRs: what a registering registry sends is parsed and its proof of possession checked;
// any tampering (name, key, signature) is a 400 BAD_CSR, and OpenSSL agrees it is bad.
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StewardError } from '../../src/errors/index.js';
import { createCsr, parseCsr } from '../../src/pki/csr.js';
import { derToPem } from '../../src/pki/parse.js';
import { publicKeyToPem } from '../../src/pki/keys.js';
import { ACME, key } from './fixtures.js';

// OpenSSL 3.0's `req -verify` exits 0 either way: read what it says.
const opensslReqOk = (pem: string) => {
  const r = spawnSync('openssl', ['req', '-verify', '-noout'], { input: pem, encoding: 'utf8' });
  return r.status === 0 && /verify OK/.test(`${r.stdout}${r.stderr}`) && !/failure/.test(`${r.stdout}${r.stderr}`);
};
const der = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
const csrPem = (d: Uint8Array) => derToPem(d, 'CERTIFICATE REQUEST');

async function refused(pem: string, re: RegExp) {
  try {
    await parseCsr(pem);
  } catch (err) {
    assert.instance(err, StewardError);
    assert.is((err as StewardError).code, 'BAD_CSR');
    assert.is((err as StewardError).status, 400);
    assert.match((err as Error).message, re);
    return;
  }
  assert.unreachable('CSR was accepted');
}

for (const alg of ['p256', 'rsa4096'] as const) {
  test(`${alg}: a CSR for a zone parses to the zone and the key; OpenSSL verifies it`, async () => {
    const kp = await key(alg, 'csr');
    const pem = await createCsr(`Acme-Labs.com.steward-registry.org.`, kp);
    assert.ok(opensslReqOk(pem));
    const text = execFileSync('openssl', ['req', '-noout', '-text'], { input: pem, encoding: 'utf8' });
    assert.match(text, `Subject: CN = ${ACME}`);
    assert.match(text, `DNS:${ACME}`);
    const parsed = await parseCsr(pem);
    assert.is(parsed.zone, ACME);
    assert.is(parsed.alg, alg);
    assert.is(publicKeyToPem(parsed.publicKey), publicKeyToPem(kp.publicKey));
  });

  test(`${alg}: a tampered CSR (bad proof of possession) is refused, by OpenSSL too`, async () => {
    const kp = await key(alg, 'csr');
    const good = der(await createCsr(ACME, kp));
    // 1. the requested name changed after signing ("acme" → "acmf")
    const renamed = Buffer.from(good);
    const at = renamed.indexOf(Buffer.from('acme-labs'));
    renamed[at + 3] = 'f'.charCodeAt(0);
    assert.not.ok(opensslReqOk(csrPem(renamed)));
    await refused(csrPem(renamed), /proof of possession/);
    // 2. signature bits flipped
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3]! ^= 0x10;
    assert.not.ok(opensslReqOk(csrPem(flipped)));
    await refused(csrPem(flipped), /proof of possession|cannot/);
    // 3. someone else's public key put in a CSR signed with ours
    const other = await key(alg, 'csr-other');
    const otherCsr = Buffer.from(der(await createCsr(ACME, other)));
    const ourSpki = kp.publicKey.export({ type: 'spki', format: 'der' });
    const theirSpki = other.publicKey.export({ type: 'spki', format: 'der' });
    const swapped = Buffer.from(good);
    swapped.set(theirSpki, swapped.indexOf(ourSpki));
    assert.ok(otherCsr.length > 0);
    assert.not.ok(opensslReqOk(csrPem(swapped)));
    await refused(csrPem(swapped), /proof of possession/);
  });
}

test('malformed input and names are refused with BAD_CSR', async () => {
  await refused('hello', /PEM PKCS#10/);
  await refused('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', /PEM PKCS#10/);
  await refused('x'.repeat(20_000), /16 KiB/);
});

test.run();

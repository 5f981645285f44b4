import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCompactJws } from '../../src/records/jws.js';
import { generatePublisherKey, readKeyFile, signCompact, writeKeyFile } from '../../src/records/keys.js';
import { rejectsWith } from './fixtures.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-keys-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
  test(`${alg}: generate, write (0600), read back, sign, verify`, async () => {
    const key = await generatePublisherKey(alg);
    assert.is(key.alg, alg);
    assert.is(key.privateJwk.kid, key.fingerprint);
    assert.is(key.privateJwk.alg, alg);
    assert.not.ok('d' in key.publicJwk);
    const file = join(dir, `${alg}.json`);
    await writeKeyFile(file, key);
    assert.is((await stat(file)).mode & 0o777, 0o600);
    const again = await readKeyFile(file);
    assert.is(again.fingerprint, key.fingerprint);
    const out = await verifyCompactJws(await signCompact({ hello: alg }, again));
    assert.equal(out.payload, { hello: alg });
    assert.is(out.fingerprint, key.fingerprint);
    const header = JSON.parse(Buffer.from((await signCompact({}, again)).split('.')[0], 'base64url').toString());
    assert.equal(Object.keys(header).sort(), ['alg', 'jwk']);
  });
}

test('the default key is ES256', async () => {
  assert.is((await generatePublisherKey()).alg, 'ES256');
});

test('a PKCS#8 PEM private key is accepted (EC, Ed25519, RSA)', async () => {
  for (const [type, opts, alg] of [['ec', { namedCurve: 'P-256' }, 'ES256'], ['ed25519', {}, 'EdDSA'], ['rsa', { modulusLength: 2048 }, 'RS256']] as const) {
    const { privateKey } = generateKeyPairSync(type as 'ec', opts as { namedCurve: string });
    const file = join(dir, `${type}.pem`);
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const key = await readKeyFile(file);
    assert.is(key.alg, alg);
    assert.is((await verifyCompactJws(await signCompact({ n: 1 }, key))).fingerprint, key.fingerprint);
  }
});

test('missing, garbled, public-only and unsupported key files are BAD_REQUEST', async () => {
  await rejectsWith(() => readKeyFile(join(dir, 'nope.json')), 'BAD_REQUEST', 'no such file');
  const garbled = join(dir, 'garbled.json');
  await writeFile(garbled, '{"kty": "EC", ');
  await rejectsWith(() => readKeyFile(garbled), 'BAD_REQUEST', 'neither a JWK');
  const key = await generatePublisherKey();
  const pub = join(dir, 'public.json');
  await writeFile(pub, JSON.stringify(key.publicJwk));
  await rejectsWith(() => readKeyFile(pub), 'BAD_REQUEST', 'no private key');
  const p384 = join(dir, 'p384.pem');
  await writeFile(p384, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  await rejectsWith(() => readKeyFile(p384), 'BAD_REQUEST', 'unsupported key');
  const cert = join(dir, 'cert.pem');
  await writeFile(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  await rejectsWith(() => readKeyFile(cert), 'BAD_REQUEST', 'not a private key');
  const broken = join(dir, 'broken.pem');
  await writeFile(broken, '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n');
  await rejectsWith(() => readKeyFile(broken), 'BAD_REQUEST', 'not a readable PEM');
  const badD = join(dir, 'bad-d.json');
  await writeFile(badD, JSON.stringify({ ...key.privateJwk, d: 'AAAA' }));
  await rejectsWith(() => readKeyFile(badD), 'BAD_REQUEST', 'unusable key');
  // the file written by writeKeyFile is exactly the private JWK
  const file = join(dir, 'k.json');
  await writeKeyFile(file, key);
  assert.equal(JSON.parse(await readFile(file, 'utf8')), key.privateJwk);
});

test.run();

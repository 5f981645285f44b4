// Issued certificates carry exactly SPEC §5's fields (read back by OpenSSL); CRLs verify
// with `openssl crl -verify` and parse back; the warm chain cache gives the cold verdict.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChainVerifier } from '../../src/pki/chain-cache.js';
import { checkCrl, issueCrl, parseCrl } from '../../src/pki/crl.js';
import { issueRegistryCertificate, randomSerial, renewalDue } from '../../src/pki/issue.js';
import { chainError } from '../../src/pki/verify.js';
import { fingerprint } from '../../src/pki/keys.js';
import { parseCertificate } from '../../src/pki/parse.js';
import { ACME, COM, ROOT, key, makePki } from './fixtures.js';

const text = (pem: string) => execFileSync('openssl', ['x509', '-noout', '-text', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' });

for (const algs of [['p256', 'p256', 'p256', 'p256'], ['rsa4096', 'rsa4096', 'p256', 'p256']] as const) {
  const label = `${algs[1]} issuer, ${algs[2]} subject`;

  test(`${label}: registry certificate has SPEC §5's fields`, async () => {
    const p = await makePki([...algs]);
    const t = text(p.acme.pem);
    assert.match(t, `Issuer: CN = ${COM}`);
    assert.match(t, `Subject: CN = ${ACME}`);
    assert.match(t, /X509v3 Basic Constraints: critical\s+CA:TRUE\s/);
    assert.match(t, /X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign\s/);
    assert.match(t, new RegExp(`X509v3 Name Constraints: critical\\s+Permitted:\\s+DNS:${ACME.replace(/\./g, '\\.')}\\s`));
    assert.match(t, new RegExp(`X509v3 Subject Alternative Name: \\s*DNS:${ACME.replace(/\./g, '\\.')}\\s`));
    assert.match(t, 'X509v3 Subject Key Identifier');
    assert.match(t, 'X509v3 Authority Key Identifier');
    assert.match(t, algs[1] === 'p256' ? 'Signature Algorithm: ecdsa-with-SHA256' : 'Signature Algorithm: sha256WithRSAEncryption');
    const c = parseCertificate(p.acme.pem);
    assert.ok(c.serialHex.length >= 16 && Number.parseInt(c.serialHex[0]!, 16) < 8, 'serial ≥ 64 bits, positive');
    assert.is(c.notAfter - c.notBefore, 365 * 24 * 3600_000);
    const ossl = /sha256 Fingerprint=([0-9A-F:]+)/.exec(t)![1]!.replace(/:/g, '').toLowerCase();
    assert.is(fingerprint(p.acme.der), `sha256:${ossl}`);
    const rt = text(p.root.pem);
    assert.match(rt, `Issuer: CN = ${ROOT}`);
    assert.match(rt, `Subject: CN = ${ROOT}`);
    assert.match(rt, new RegExp(`Name Constraints: critical\\s+Permitted:\\s+DNS:${ROOT.replace(/\./g, '\\.')}\\s`));
  });

  test(`${label}: a CRL that openssl crl -verify accepts, parsed back and checked`, async () => {
    const p = await makePki([...algs]);
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
    const serial = randomSerial();
    const crl = await issueCrl({ issuer: { certificate: p.com.pem, keys: p.comKeys }, revoked: [{ serialHex: p.acme.serial, revokedAt, reason: 'keyCompromise' }, { serialHex: serial, revokedAt }], crlNumber: 7 });
    assert.match(crl.pem, /^-----BEGIN X509 CRL-----/);
    const dir = mkdtempSync(join(tmpdir(), 'pki-crl-'));
    writeFileSync(join(dir, 'ca.pem'), p.com.pem);
    const r = spawnSync('openssl', ['crl', '-verify', '-noout', '-CAfile', join(dir, 'ca.pem')], { input: crl.pem, encoding: 'utf8' });
    const wrong = spawnSync('openssl', ['crl', '-verify', '-noout', '-CAfile', join(dir, 'ca.pem')], { input: (await issueCrl({ issuer: { certificate: p.com.pem, keys: p.acmeKeys }, revoked: [] })).pem, encoding: 'utf8' });
    rmSync(dir, { recursive: true });
    assert.not.match(wrong.stdout + wrong.stderr, /verify OK/);
    const out = execFileSync('openssl', ['crl', '-noout', '-text'], { input: crl.pem, encoding: 'utf8' });
    assert.match(r.stdout + r.stderr, /verify OK/);
    assert.match(out, 'Key Compromise');
    assert.match(out, 'X509v3 CRL Number');
    assert.match(out, 'Next Update');
    const parsed = parseCrl(crl.pem);
    assert.equal([...parsed.revoked.keys()].sort(), [parseCertificate(p.acme.pem).serialHex, serial.replace(/^0+/, '')].sort());
    assert.is(parsed.revoked.get(parseCertificate(p.acme.pem).serialHex)!.reason, 1);
    assert.is(parsed.revoked.get(parseCertificate(p.acme.pem).serialHex)!.revokedAt, revokedAt.getTime());
    const com = parseCertificate(p.com.pem);
    assert.is(checkCrl(parsed, com, Date.now()), undefined);
    assert.is(checkCrl(parsed, parseCertificate(p.root.pem), Date.now())!.problem, 'CRL_INVALID');
    assert.is(checkCrl(parsed, com, Date.now() + 2 * 24 * 3600_000)!.problem, 'CRL_EXPIRED');
  });
}

test('short lifetimes (renewal tests) and the warm chain cache', async () => {
  const p = await makePki(['p256', 'p256', 'p256', 'p256']);
  const team = await issueRegistryCertificate(`team.${ACME}`, (await key('p256', 'team')).publicKey, { certificate: p.acme.pem, keys: p.acmeKeys }, { lifetimeMs: 3000 });
  assert.is(team.notAfter.getTime() - team.notBefore.getTime(), 3000);
  assert.not.ok(renewalDue(team, team.notBefore.getTime() + 1999), 'not due before two-thirds');
  assert.ok(renewalDue(team, team.notBefore.getTime() + 2000), 'due at two-thirds of the lifetime');
  let crl: ReturnType<typeof parseCrl> | undefined;
  const v = new ChainVerifier({ anchors: [p.root.der], crlFor: (issuer) => (crl && issuer.subject === crl.issuer ? crl : undefined) });
  const chain = [team.der, p.acme.der, p.com.der, p.root.der];
  const now = team.notBefore.getTime() + 1000;
  const first = v.verify(chain, now);
  assert.ok(first.ok && first.zone === `team.${ACME}`);
  assert.is(v.verify(chain, now), first, 'same verdict object from the cache');
  assert.equal(v.stats, { hits: 1, misses: 1 });
  const late = v.verify(chain, team.notAfter.getTime() + 1000);
  assert.ok(!late.ok && late.reason === 'EXPIRED', 'a cached verdict never outlives the certificate');
  crl = parseCrl((await issueCrl({ issuer: { certificate: p.acme.pem, keys: p.acmeKeys }, revoked: [{ serialHex: team.serial, revokedAt: new Date(now) }] })).pem);
  assert.ok(v.verify(chain, now).ok, 'until invalidated, the cache answers');
  v.invalidate();
  const revoked = v.verify(chain, now);
  assert.ok(!revoked.ok && revoked.reason === 'REVOKED' && revoked.depth === 0);
  if (!revoked.ok) {
    const e = chainError(revoked);
    assert.equal([e.status, e.code, e.extra], [401, 'CERT_INVALID', { reason: 'REVOKED', depth: 0 }]);
  }
  const garbage = v.verify([new Uint8Array([1, 2, 3])], now);
  assert.ok(!garbage.ok && garbage.reason === 'MALFORMED');
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { calculateJwkThumbprint } from 'jose';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { verifyCompactJws, MAX_JWS_BYTES } from '../../src/records/jws.js';
import { signCompact } from '../../src/records/keys.js';
import { b64, key, manifest, rejectsWith, signRaw } from './fixtures.js';

for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
  test(`${alg}: a signed manifest verifies and yields payload, key and RFC 7638 fingerprint`, async () => {
    const k = await key(alg);
    const jws = await signCompact(manifest(), k);
    const out = await verifyCompactJws(jws);
    assert.equal(out.payload, manifest());
    assert.is(out.alg, alg);
    assert.is(out.fingerprint, await calculateJwkThumbprint(k.publicJwk, 'sha256'));
    assert.is(out.fingerprint, k.fingerprint);
    assert.not.ok('d' in out.publicJwk);
    // second time comes from the key cache and must give the same answer
    assert.equal(await verifyCompactJws(jws), out);
  });
}

test('tampered payload is BAD_SIGNATURE', async () => {
  const jws = await signCompact(manifest(), await key());
  const [h, , s] = jws.split('.');
  await rejectsWith(() => verifyCompactJws(`${h}.${b64(manifest({ version: '9.9.9' }))}.${s}`), 'BAD_SIGNATURE');
});

test('a valid signature by a different key than the header names is BAD_SIGNATURE', async () => {
  const a = await key('ES256', 0);
  const b = await key('ES256', 1);
  const forged = await signRaw({ alg: 'ES256', jwk: a.publicJwk }, JSON.stringify(manifest()), b);
  await rejectsWith(() => verifyCompactJws(forged), 'BAD_SIGNATURE');
});

test('header without jwk is BAD_JWS', async () => {
  const k = await key();
  const jws = await signRaw({ alg: 'ES256' }, JSON.stringify(manifest()), k);
  await rejectsWith(() => verifyCompactJws(jws), 'BAD_JWS', 'jwk');
});

test('HS256 and none are refused as BAD_JWS naming the alg', async () => {
  const header = { alg: 'HS256', jwk: { kty: 'oct', k: b64('secret') } };
  const input = `${b64(header)}.${b64(manifest())}`;
  const mac = createHmac('sha256', 'secret').update(input).digest('base64url');
  await rejectsWith(() => verifyCompactJws(`${input}.${mac}`), 'BAD_JWS', 'HS256');
  const k = await key();
  await rejectsWith(() => verifyCompactJws(`${b64({ alg: 'none', jwk: k.publicJwk })}.${b64(manifest())}.`), 'BAD_JWS', 'none');
  await rejectsWith(() => verifyCompactJws(`${b64({ jwk: k.publicJwk })}.${b64(manifest())}.abc`), 'BAD_JWS', 'alg');
});

test('private key material in the header is BAD_JWS', async () => {
  const k = await key();
  const jws = await signRaw({ alg: 'ES256', jwk: k.privateJwk }, JSON.stringify(manifest()), k);
  await rejectsWith(() => verifyCompactJws(jws), 'BAD_JWS', 'private key material');
});

test('alg and key type must agree; RSA keys need 2048 bits', async () => {
  const ec = await key('ES256');
  const ed = await key('EdDSA');
  await rejectsWith(async () => verifyCompactJws(await signRaw({ alg: 'EdDSA', jwk: ec.publicJwk }, '{}', ed)), 'BAD_JWS', 'Ed25519');
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const jwk = small.publicKey.export({ format: 'jwk' });
  await rejectsWith(() => verifyCompactJws(`${b64({ alg: 'RS256', jwk })}.${b64({})}.${b64('sig')}`), 'BAD_JWS', '1024 bits');
});

test('malformed compact strings are BAD_JWS with a reason', async () => {
  await rejectsWith(() => verifyCompactJws('abc.def'), 'BAD_JWS', '3 dot-separated parts');
  await rejectsWith(() => verifyCompactJws('a.b.c.d'), 'BAD_JWS', '3 dot-separated parts');
  await rejectsWith(() => verifyCompactJws('ab!.cd.ef'), 'BAD_JWS', 'protected header');
  await rejectsWith(() => verifyCompactJws(`${b64('not json')}.${b64({})}.abc`), 'BAD_JWS', 'not JSON');
  await rejectsWith(() => verifyCompactJws(`${b64([1])}.${b64({})}.abc`), 'BAD_JWS', 'JSON object');
  await rejectsWith(() => verifyCompactJws(42 as unknown as string), 'BAD_JWS', 'string');
  await rejectsWith(() => verifyCompactJws('a'.repeat(MAX_JWS_BYTES + 1)), 'BAD_JWS', '64 KiB');
  const k = await key();
  await rejectsWith(() => verifyCompactJws(`${b64({ alg: 'ES256', jwk: k.publicJwk, crit: ['b64'], b64: false })}.${b64({})}.abc`), 'BAD_JWS', 'crit');
});

test('a correctly signed payload that is not JSON is BAD_JWS', async () => {
  const k = await key('EdDSA');
  const jws = await signRaw({ alg: 'EdDSA', jwk: k.publicJwk }, 'hello, not json', k);
  await rejectsWith(() => verifyCompactJws(jws), 'BAD_JWS', 'payload is not JSON');
});

test('typ in the header is allowed', async () => {
  const k = await key();
  const out = await verifyCompactJws(await signCompact({ a: 1 }, k, { typ: 'steward-manifest+jws' }));
  assert.equal(out.payload, { a: 1 });
});

test.run();

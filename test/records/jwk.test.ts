// One key, one fingerprint: every header jwk that spells a key in more than one way is
// refused before any key import, and oversized RSA keys cost next to nothing to refuse.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCompactJws } from '../../src/records/jws.js';
import { nonCanonicalProblem, thumbprint } from '../../src/records/jwk.js';
import { readKeyFile, signCompact } from '../../src/records/keys.js';
import { b64, key, manifest, rejectsWith } from './fixtures.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same bytes, spelt with non-zero unused trailing bits (Buffer decodes both alike). */
function strayBits(s: string): string {
  const last = ALPHABET.indexOf(s[s.length - 1]!);
  return s.slice(0, -1) + ALPHABET[last | 1];
}
const padded = (s: string): string => Buffer.concat([Buffer.alloc(1), Buffer.from(s, 'base64url')]).toString('base64url');
/** A JWS whose header carries `jwk`; the signature is junk (it must never be looked at). */
const withKey = (alg: string, jwk: object): string => `${b64({ alg, jwk })}.${b64(manifest())}.${b64('x'.repeat(64))}`;

test('EC P-256: x and y must be exactly 32 bytes, canonical base64url', async () => {
  const { publicJwk: k } = await key('ES256');
  const x = k.x!;
  assert.is(Buffer.from(strayBits(x), 'base64url').toString('base64url'), x, 'the stray-bit spelling decodes to the same x');
  assert.is.not(thumbprint({ ...k, x: strayBits(x) }), thumbprint(k), 'and would be a second fingerprint');
  await rejectsWith(() => verifyCompactJws(withKey('ES256', { ...k, x: padded(x) })), 'BAD_JWS', '"x"', '32 bytes', 'got 33');
  await rejectsWith(() => verifyCompactJws(withKey('ES256', { ...k, y: padded(k.y!) })), 'BAD_JWS', '"y"', '32 bytes');
  await rejectsWith(() => verifyCompactJws(withKey('ES256', { ...k, x: Buffer.from(x, 'base64url').subarray(1).toString('base64url') })), 'BAD_JWS', 'got 31');
  await rejectsWith(() => verifyCompactJws(withKey('ES256', { ...k, x: strayBits(x) })), 'BAD_JWS', 'not canonical');
  await rejectsWith(() => verifyCompactJws(withKey('ES256', { ...k, x: `${x}=` })), 'BAD_JWS', 'not base64url');
});

test('Ed25519: x must be exactly 32 bytes, canonical base64url', async () => {
  const { publicJwk: k } = await key('EdDSA');
  await rejectsWith(() => verifyCompactJws(withKey('EdDSA', { ...k, x: padded(k.x!) })), 'BAD_JWS', 'EdDSA', '32 bytes');
  await rejectsWith(() => verifyCompactJws(withKey('EdDSA', { ...k, x: strayBits(k.x!) })), 'BAD_JWS', 'not canonical');
});

test('RSA: n without leading zeros, 2048..4096 bits, e = AQAB only', async () => {
  const { publicJwk: k } = await key('RS256');
  await rejectsWith(() => verifyCompactJws(withKey('RS256', { ...k, n: padded(k.n!) })), 'BAD_JWS', 'leading zero');
  await rejectsWith(() => verifyCompactJws(withKey('RS256', { ...k, n: strayBits(k.n!) })), 'BAD_JWS', 'not canonical');
  for (const e of ['AAEAAQ', 'Aw', 'AQAC']) await rejectsWith(() => verifyCompactJws(withKey('RS256', { ...k, e })), 'BAD_JWS', '"e"', 'AQAB');
  const n = (bits: number) => { const b = randomBytes(bits / 8); b[0]! |= 0x80; return b.toString('base64url'); };
  await rejectsWith(() => verifyCompactJws(withKey('RS256', { kty: 'RSA', n: n(4104), e: 'AQAB' })), 'BAD_JWS', 'at most 4096');
  await rejectsWith(() => verifyCompactJws(withKey('RS256', { kty: 'RSA', n: n(8192), e: 'AQAB' })), 'BAD_JWS', 'at most 4096');
  await rejectsWith(() => verifyCompactJws(withKey('RS256', { kty: 'RSA', n: n(2040), e: 'AQAB' })), 'BAD_JWS', '2040 bits');
  // a real 4096-bit key is accepted
  assert.is(nonCanonicalProblem({ kty: 'RSA', n: n(4096), e: 'AQAB' }), undefined);
});

test('oversized RSA keys are refused by the shape check, before any key import or verify', async () => {
  // The attack: fresh random keys (no cache hit), an 8192-bit n, or a 3072-bit n with a
  // ~3070-bit e; before, each cost a key import and a verify (~6 ms of CPU). verifyCompactJws
  // runs nonCanonicalProblem on the header's JWK first, so a JWK it names a problem for
  // never reaches node:crypto. (Cost is measured in scripts/bench-records, not here.)
  for (let i = 0; i < 50; i++) {
    const big = { kty: 'RSA', n: randomBytes(1024).toString('base64url'), e: 'AQAB' };
    const hugeE = { kty: 'RSA', n: randomBytes(384).toString('base64url'), e: randomBytes(383).toString('base64url') };
    assert.ok(nonCanonicalProblem(big), 'an 8192-bit n is named a problem');
    assert.match(nonCanonicalProblem(hugeE)!, 'AQAB');
    await rejectsWith(() => verifyCompactJws(withKey('RS256', big)), 'BAD_JWS');
    await rejectsWith(() => verifyCompactJws(withKey('RS256', hugeE)), 'BAD_JWS', 'AQAB');
  }
});

test('the keys we generate and sign with are canonical (all three algorithms)', async () => {
  for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
    const k = await key(alg);
    assert.is(nonCanonicalProblem(k.publicJwk), undefined, alg);
    assert.is((await verifyCompactJws(await signCompact(manifest(), k))).fingerprint, k.fingerprint);
  }
});

test('a key file whose key no registry accepts is refused before signing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steward-jwk-'));
  try {
    const file = join(dir, 'e3.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await rejectsWith(() => readKeyFile(file), 'BAD_REQUEST', 'AQAB');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

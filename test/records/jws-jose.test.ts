// The node:crypto verifier against jose as a reference: for valid JWS and thousands of
// mutations of them, it must accept exactly what jose's compactVerify (WebCrypto, with
// the key embedded in the header) accepts, and refuse with the matching code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compactVerify, EmbeddedJWK, errors } from 'jose';
import { StewardError } from '../../src/errors/index.js';
import { ALGORITHMS, verifyCompactJws, type PublisherAlg } from '../../src/records/jws.js';
import { signCompact } from '../../src/records/keys.js';
import { b64, key, manifest, rejectsWith } from './fixtures.js';

type Outcome = 'ok' | 'BAD_SIGNATURE' | 'BAD_JWS';

async function jose(jws: string): Promise<Outcome> {
  try {
    await compactVerify(jws, EmbeddedJWK, { algorithms: [...ALGORITHMS] });
    return 'ok';
  } catch (err) {
    return err instanceof errors.JWSSignatureVerificationFailed ? 'BAD_SIGNATURE' : 'BAD_JWS';
  }
}

async function ours(jws: string): Promise<Outcome> {
  try {
    await verifyCompactJws(jws);
    return 'ok';
  } catch (err) {
    if (!(err instanceof StewardError)) throw err;
    return err.code as Outcome;
  }
}

// Deterministic mutations: replace, drop or add one character, or cut the part short.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function mutations(part: string, seed: number, n: number): string[] {
  const out: string[] = [];
  let s = seed;
  const rnd = (k: number) => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) % k;
  for (let i = 0; i < n; i++) {
    const at = rnd(part.length);
    switch (i % 4) {
      case 0: out.push(part.slice(0, at) + ALPHABET[rnd(64)] + part.slice(at + 1)); break;
      case 1: out.push(part.slice(0, at) + part.slice(at + 1)); break;
      case 2: out.push(part.slice(0, at) + ALPHABET[rnd(64)] + part.slice(at)); break;
      default: out.push(part.slice(0, Math.max(1, at))); break;
    }
  }
  return out;
}

for (const alg of ['ES256', 'EdDSA', 'RS256'] as PublisherAlg[]) {
  test(`${alg}: payload and signature mutations get jose's verdict`, async () => {
    const k = await key(alg);
    const jws = await signCompact(manifest(), k);
    const [h, p, s] = jws.split('.') as [string, string, string];
    const cases = [jws, ...mutations(p, 1, 150).map((m) => `${h}.${m}.${s}`), ...mutations(s, 2, 150).map((m) => `${h}.${p}.${m}`)];
    let accepted = 0;
    for (const c of cases) {
      const want = await jose(c);
      const got = await ours(c);
      // jose never parses the payload; ours refuses a verified payload that is not JSON.
      if (want === 'ok' && got === 'BAD_JWS') {
        await rejectsWith(() => verifyCompactJws(c), 'BAD_JWS', 'payload is not JSON');
        continue;
      }
      assert.is(got, want, `${c.slice(0, 60)}…: jose says ${want}, ours ${got}`);
      if (got === 'ok') accepted++;
    }
    assert.ok(accepted >= 1);
  });

  test(`${alg}: header mutations are never accepted where jose refuses`, async () => {
    const k = await key(alg);
    const jws = await signCompact(manifest(), k);
    const [h, p, s] = jws.split('.') as [string, string, string];
    for (const m of mutations(h, 3, 200)) {
      const c = `${m}.${p}.${s}`;
      if ((await ours(c)) === 'ok') assert.is(await jose(c), 'ok', c);
    }
  });
}

test('keys WebCrypto could not import are BAD_JWS: EC point off the curve, Ed25519 of the wrong length', async () => {
  const ec = await key('ES256');
  const offCurve = { ...ec.publicJwk, y: ec.publicJwk.x };
  await rejectsWith(() => verifyCompactJws(`${b64({ alg: 'ES256', jwk: offCurve })}.${b64(manifest())}.${b64('x'.repeat(64))}`), 'BAD_JWS', 'not a valid ES256 public key');
  const short = { kty: 'OKP', crv: 'Ed25519', x: b64('x'.repeat(31)) };
  await rejectsWith(() => verifyCompactJws(`${b64({ alg: 'EdDSA', jwk: short })}.${b64(manifest())}.${b64('x'.repeat(64))}`), 'BAD_JWS', 'EdDSA');
});

test('a signature whose base64url length cannot be whole is BAD_JWS, as jose has it', async () => {
  const jws = await signCompact(manifest(), await key('EdDSA'));
  await rejectsWith(() => verifyCompactJws(`${jws}AAA`), 'BAD_JWS', 'signature');
  assert.is(await jose(`${jws}AAA`), 'BAD_JWS');
});

test('a signed payload whose base64url length cannot be whole is BAD_JWS, even if a lenient decoder reads JSON', async () => {
  const { sign, createPrivateKey } = await import('node:crypto');
  const k = await key('EdDSA');
  const input = `${b64({ alg: 'EdDSA', jwk: k.publicJwk })}.e30gA`; // Buffer reads "{} " and drops the A
  const sig = sign(null, Buffer.from(input), createPrivateKey({ key: k.privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' }));
  const jws = `${input}.${sig.toString('base64url')}`;
  assert.is(await jose(jws), 'BAD_JWS');
  await rejectsWith(() => verifyCompactJws(jws), 'BAD_JWS', 'payload');
});

test('an ES256 signature in DER form (not r||s) does not verify', async () => {
  const { sign, createPrivateKey } = await import('node:crypto');
  const k = await key('ES256');
  const input = `${b64({ alg: 'ES256', jwk: k.publicJwk })}.${b64(manifest())}`;
  const der = sign('sha256', Buffer.from(input), createPrivateKey({ key: k.privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' }));
  await rejectsWith(() => verifyCompactJws(`${input}.${der.toString('base64url')}`), 'BAD_SIGNATURE');
  const p1363 = sign('sha256', Buffer.from(input), { key: createPrivateKey({ key: k.privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
  assert.is((await verifyCompactJws(`${input}.${p1363.toString('base64url')}`)).fingerprint, k.fingerprint);
});

test.run();

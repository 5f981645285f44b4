// Verifying a publisher's compact JWS (SPEC §2). The public key travels in the
// protected header (`jwk`), so the header is checked strictly before any crypto:
// only ES256 / EdDSA (Ed25519) / RS256 (2048-4096 bits, e = 65537), never private key
// material, only the canonical encoding of a key (src/records/jwk.ts), and no member
// name twice in the header or the payload (src/records/json-members.ts).
// This is the publish hot path, so it runs on node:crypto directly: a KeyObject is made
// once per public key and cached, and one verify() call checks the signature on libuv's
// thread pool, so the event loop is free for the HTTP and store work of other publishes
// meanwhile. Through jose and WebCrypto the same checks cost about twice the CPU (webidl
// argument conversion, CryptoKey handling, base64 and header work done twice).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { StewardError } from '../errors/index.js';
import { duplicateMember } from './json-members.js';
import { ALGORITHMS, nonCanonicalProblem, publicKeyOf, thumbprint, type PublisherAlg } from './jwk.js';

export { ALGORITHMS, type PublisherAlg } from './jwk.js';
export const MAX_JWS_BYTES = 64 * 1024;
const B64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface VerifiedJws {
  payload: unknown;
  alg: PublisherAlg;
  /** The publisher key, reduced to its public members. */
  publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of publicJwk, base64url. */
  fingerprint: string;
}

interface CachedKey {
  key: KeyObject;
  publicJwk: JWK;
  fingerprint: string;
}

// Keyed by alg + public members; a few thousand active publishers fit easily.
const keyCache = new LRUCache<string, CachedKey>({ max: 4096 });

const badJws = (detail: string): never => {
  throw new StewardError('BAD_JWS', detail);
};

/**
 * Base64url as jose (atob) reads it: the alphabet only, and never a length that leaves
 * one character over (Buffer would silently drop it).
 */
const isB64url = (part: string): boolean => B64URL.test(part) && part.length % 4 !== 1;

function decodeJson(part: string, what: string): unknown {
  let text: string;
  try {
    text = utf8.decode(Buffer.from(part, 'base64url'));
  } catch {
    return badJws(`the JWS ${what} is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return badJws(`the JWS ${what} is not JSON`);
  }
  const dup = duplicateMember(text);
  if (dup !== undefined) badJws(`the JWS ${what} has the member name ${JSON.stringify(dup)} twice; each name may appear once`);
  return value;
}

/**
 * The KeyObject for a checked public JWK, made once. A key not in its canonical encoding
 * is refused before any import (only canonical keys enter the cache, so a hit needs no
 * re-check); createPublicKey refuses what WebCrypto's import refused (an EC point off
 * the curve), with BAD_JWS.
 */
function keyFor(alg: PublisherAlg, publicJwk: JWK): CachedKey {
  const cacheKey = `${alg}|${publicJwk.x ?? ''}|${publicJwk.y ?? ''}|${publicJwk.n ?? ''}|${publicJwk.e ?? ''}`;
  let cached = keyCache.get(cacheKey);
  if (!cached) {
    const problem = nonCanonicalProblem(publicJwk);
    if (problem) badJws(problem);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    } catch (err) {
      return badJws(`the JWS could not be verified: the header jwk is not a valid ${alg} public key (${(err as Error).message})`);
    }
    if (key.type !== 'public') return badJws('the header jwk must be a public key');
    cached = { key, publicJwk, fingerprint: thumbprint(publicJwk) };
    keyCache.set(cacheKey, cached);
  }
  return cached;
}

/** One signature check on the thread pool (verify with a callback). */
function signatureVerifies(alg: PublisherAlg, key: KeyObject, input: Buffer, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    // As jose: a signature the primitive cannot even read does not verify.
    const done = (err: Error | null, ok: boolean) => resolve(!err && ok);
    try {
      switch (alg) {
        case 'EdDSA': return verify(null, input, key, signature, done);
        // JWS carries ECDSA signatures as r || s (IEEE P1363), not DER.
        case 'ES256': return verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature, done);
        case 'RS256': return verify('sha256', input, key, signature, done); // PKCS#1 v1.5 is the RSA default
      }
    } catch {
      resolve(false);
    }
  });
}

function checkShape(compact: unknown): { header: Record<string, unknown>; parts: string[] } {
  if (typeof compact !== 'string') return badJws('the body must be a compact JWS string');
  if (compact.length > MAX_JWS_BYTES) badJws(`the JWS is ${compact.length} bytes; at most ${MAX_JWS_BYTES} (64 KiB)`);
  const parts = compact.trim().split('.');
  if (parts.length !== 3) badJws(`a compact JWS has 3 dot-separated parts; got ${parts.length}`);
  const names = ['protected header', 'payload', 'signature'];
  // An empty signature is judged after the alg, so `alg: none` gets the clearer message.
  // The payload's length is judged after the signature (jose's order: a tampered payload
  // is a bad signature).
  parts.forEach((p, i) => {
    if (!(i === 1 ? B64URL.test(p) : isB64url(p)) && !(i === 2 && p === '')) badJws(`the JWS ${names[i]} is empty or not base64url`);
  });
  const header = decodeJson(parts[0], 'protected header');
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return badJws('the JWS protected header must be a JSON object');
  return { header: header as Record<string, unknown>, parts };
}

/**
 * Verifies a compact JWS whose protected header embeds the signer's public key.
 * BAD_JWS for anything malformed or disallowed, BAD_SIGNATURE when the signature
 * does not verify. The payload is checked to be JSON only after the signature.
 */
export async function verifyCompactJws(compact: string): Promise<VerifiedJws> {
  const { header, parts } = checkShape(compact);
  const alg = header.alg;
  if (typeof alg !== 'string' || !(ALGORITHMS as readonly string[]).includes(alg)) {
    return badJws(`alg ${JSON.stringify(alg ?? null)} is not allowed; use one of ${ALGORITHMS.join(', ')}`);
  }
  if (parts[2] === '') badJws('the JWS signature is empty');
  // Extensions we do not implement (e.g. b64:false) must not be silently ignored.
  if ('crit' in header || 'b64' in header) badJws('the "crit" and "b64" header parameters are not supported');
  const jwk = header.jwk;
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return badJws('the protected header has no "jwk" (the publisher public key)');
  const checked = publicKeyOf(alg as PublisherAlg, jwk as Record<string, unknown>);
  if ('problem' in checked) return badJws(checked.problem);
  const cached = keyFor(alg as PublisherAlg, checked.jwk);

  // The signing input is the ASCII of `header.payload` exactly as sent.
  const input = Buffer.from(`${parts[0]}.${parts[1]}`, 'latin1');
  if (!(await signatureVerifies(alg as PublisherAlg, cached.key, input, Buffer.from(parts[2]!, 'base64url')))) {
    throw new StewardError('BAD_SIGNATURE', 'the JWS signature does not verify with the key in its header');
  }
  if (!isB64url(parts[1]!)) badJws('the JWS payload is not valid base64url');
  const body = decodeJson(parts[1]!, 'payload');
  return { payload: body, alg: alg as PublisherAlg, publicJwk: { ...cached.publicJwk }, fingerprint: cached.fingerprint };
}

/** Cheap peek at an unverified header (for error messages and routing only). */
export function peekHeader(compact: string): Record<string, unknown> {
  return checkShape(compact).header;
}

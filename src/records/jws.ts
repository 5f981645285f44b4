// Verifying a publisher's compact JWS (SPEC §2). The public key travels in the
// protected header (`jwk`), so the header is checked strictly before any crypto:
// only ES256 / EdDSA (Ed25519) / RS256 (>= 2048 bits), never private key material.
// This is the publish hot path, so it runs on node:crypto directly: a KeyObject is made
// once per public key and cached, and one verify() call checks the signature on libuv's
// thread pool, so the event loop is free for the HTTP and store work of other publishes
// meanwhile. Through jose and WebCrypto the same checks cost about twice the CPU (webidl
// argument conversion, CryptoKey handling, base64 and header work done twice).
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { StewardError } from '../errors/index.js';

export const MAX_JWS_BYTES = 64 * 1024;
export const ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type PublisherAlg = (typeof ALGORITHMS)[number];
const MIN_RSA_BITS = 2048;
const B64URL = /^[A-Za-z0-9_-]+$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
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
  try {
    return JSON.parse(text);
  } catch {
    return badJws(`the JWS ${what} is not JSON`);
  }
}

/** Checks the header's key against its alg and returns the public members only. */
function publicKeyOf(alg: PublisherAlg, jwk: Record<string, unknown>): JWK {
  const found = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (found.length) badJws(`the header jwk carries private key material (${found.join(', ')}); send the public key only`);
  const str = (m: string): string =>
    typeof jwk[m] === 'string' && B64URL.test(jwk[m] as string) ? (jwk[m] as string) : badJws(`the header jwk is missing "${m}" or it is not base64url`);
  if (jwk.use !== undefined && jwk.use !== 'sig') badJws('the header jwk "use" must be "sig" when present');
  if (jwk.alg !== undefined && jwk.alg !== alg) badJws(`the header jwk "alg" (${String(jwk.alg)}) does not match the JWS alg ${alg}`);
  switch (alg) {
    case 'ES256':
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') badJws('alg ES256 needs an EC P-256 jwk');
      return { kty: 'EC', crv: 'P-256', x: str('x'), y: str('y') };
    case 'EdDSA':
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') badJws('alg EdDSA needs an OKP Ed25519 jwk');
      return { kty: 'OKP', crv: 'Ed25519', x: str('x') };
    case 'RS256': {
      if (jwk.kty !== 'RSA') badJws('alg RS256 needs an RSA jwk');
      const n = str('n');
      const bytes = Buffer.from(n, 'base64url');
      let i = 0;
      while (i < bytes.length && bytes[i] === 0) i++;
      const bits = (bytes.length - i) * 8 - (i < bytes.length ? Math.clz32(bytes[i]) - 24 : 0);
      if (bits < MIN_RSA_BITS) badJws(`RSA key is ${bits} bits; at least ${MIN_RSA_BITS} are required`);
      return { kty: 'RSA', n, e: str('e') };
    }
  }
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
function thumbprint(jwk: JWK): string {
  const required = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
    : jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
    : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

/**
 * The KeyObject for a checked public JWK, made once. createPublicKey refuses what
 * WebCrypto's import refused (an EC point off the curve, coordinates or an Ed25519 key
 * of the wrong length), with BAD_JWS.
 */
function keyFor(alg: PublisherAlg, publicJwk: JWK): CachedKey {
  const cacheKey = `${alg}|${publicJwk.x ?? ''}|${publicJwk.y ?? ''}|${publicJwk.n ?? ''}|${publicJwk.e ?? ''}`;
  let cached = keyCache.get(cacheKey);
  if (!cached) {
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
  const cached = keyFor(alg as PublisherAlg, publicKeyOf(alg as PublisherAlg, jwk as Record<string, unknown>));

  // The signing input is the ASCII of `header.payload` exactly as sent.
  const input = Buffer.from(`${parts[0]}.${parts[1]}`, 'latin1');
  if (!(await signatureVerifies(alg as PublisherAlg, cached.key, input, Buffer.from(parts[2]!, 'base64url')))) {
    throw new StewardError('BAD_SIGNATURE', 'the JWS signature does not verify with the key in its header');
  }
  if (!isB64url(parts[1]!)) badJws('the JWS payload is not valid base64url');
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(Buffer.from(parts[1]!, 'base64url')));
  } catch {
    return badJws('the JWS payload is not JSON');
  }
  return { payload: body, alg: alg as PublisherAlg, publicJwk: { ...cached.publicJwk }, fingerprint: cached.fingerprint };
}

/** Cheap peek at an unverified header (for error messages and routing only). */
export function peekHeader(compact: string): Record<string, unknown> {
  return checkShape(compact).header;
}

// Publisher public keys as JWK (SPEC §2): one key, one spelling, one fingerprint. The
// RFC 7638 thumbprint hashes the members as written, so a key whose x is zero-padded,
// whose RSA n carries a leading zero byte, or whose base64url has stray trailing bits
// would be the same key under a second fingerprint (a second publisher identity).
// Only the minimal encoding is accepted. The checks cost string compares and one small
// decode, and run before any key import or signature work: an oversized RSA modulus or
// exponent is refused on its string length alone.
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';

export const ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type PublisherAlg = (typeof ALGORITHMS)[number];
export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 4096;
/** The only RSA public exponent accepted: 65537, minimally encoded. */
export const RSA_E = 'AQAB';

const B64URL = /^[A-Za-z0-9_-]+$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const COORD_BYTES = 32; // P-256 x and y, and an Ed25519 x
const COORD_CHARS = 43; // base64url of 32 bytes, unpadded
const MAX_N_CHARS = Math.ceil((MAX_RSA_BITS / 8) * 4 / 3);

/**
 * Checks the header's key against its alg (type, curve, no private members) and returns
 * the public members only. Cheap: runs on every publish, before the key cache.
 */
export function publicKeyOf(alg: PublisherAlg, jwk: Record<string, unknown>): { jwk: JWK } | { problem: string } {
  const found = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (found.length) return { problem: `the header jwk carries private key material (${found.join(', ')}); send the public key only` };
  if (jwk.use !== undefined && jwk.use !== 'sig') return { problem: 'the header jwk "use" must be "sig" when present' };
  if (jwk.alg !== undefined && jwk.alg !== alg) return { problem: `the header jwk "alg" (${String(jwk.alg)}) does not match the JWS alg ${alg}` };
  const members = alg === 'ES256' ? ['x', 'y'] : alg === 'EdDSA' ? ['x'] : ['n', 'e'];
  for (const m of members) {
    const v = jwk[m];
    if (typeof v !== 'string' || !B64URL.test(v)) return { problem: `the header jwk is missing "${m}" or it is not base64url` };
  }
  switch (alg) {
    case 'ES256':
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') return { problem: 'alg ES256 needs an EC P-256 jwk' };
      return { jwk: { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string } };
    case 'EdDSA':
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return { problem: 'alg EdDSA needs an OKP Ed25519 jwk' };
      return { jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string } };
    case 'RS256':
      if (jwk.kty !== 'RSA') return { problem: 'alg RS256 needs an RSA jwk' };
      return { jwk: { kty: 'RSA', n: jwk.n as string, e: jwk.e as string } };
  }
}

/** The bytes of a base64url member, or undefined unless it is the one canonical spelling. */
function canonicalBytes(s: string): Buffer | undefined {
  if (s.length % 4 === 1) return undefined;
  const bytes = Buffer.from(s, 'base64url');
  // Re-encoding gives back the text only without padding and with zero trailing bits.
  return bytes.toString('base64url') === s ? bytes : undefined;
}

function coordinateProblem(jwk: JWK, m: 'x' | 'y', what: string): string | undefined {
  const v = jwk[m];
  if (typeof v !== 'string') return `the header jwk has no "${m}"`;
  const bytes = v.length === COORD_CHARS ? canonicalBytes(v) : undefined;
  if (bytes?.length === COORD_BYTES) return undefined;
  const got = canonicalBytes(v)?.length;
  return `the header jwk "${m}" must be exactly ${COORD_BYTES} bytes of unpadded base64url for ${what}`
    + (got === undefined ? ' (it is not canonical base64url)' : ` (got ${got} bytes)`);
}

/**
 * Why a public JWK from publicKeyOf is not the minimal encoding of its key, or
 * undefined when it is: P-256 x and y and Ed25519 x exactly 32 bytes; RSA e = AQAB, n
 * with no leading zero byte and 2048 to 4096 bits; all base64url canonical.
 */
export function nonCanonicalProblem(jwk: JWK): string | undefined {
  switch (jwk.kty) {
    case 'EC':
      return coordinateProblem(jwk, 'x', 'ES256 (P-256)') ?? coordinateProblem(jwk, 'y', 'ES256 (P-256)');
    case 'OKP':
      return coordinateProblem(jwk, 'x', 'EdDSA (Ed25519)');
    case 'RSA': {
      if (jwk.e !== RSA_E) return `the header jwk "e" must be ${RSA_E} (65537); other RSA exponents are not accepted`;
      const n = jwk.n;
      if (typeof n !== 'string') return 'the header jwk has no "n"';
      if (n.length > MAX_N_CHARS) return `RSA key is over ${MAX_RSA_BITS} bits; at most ${MAX_RSA_BITS} are accepted`;
      const bytes = canonicalBytes(n);
      if (!bytes) return 'the header jwk "n" is not canonical base64url (padding or non-zero trailing bits)';
      if (bytes[0] === 0) return 'the header jwk "n" has a leading zero byte; send the minimal encoding';
      const bits = bytes.length * 8 - (Math.clz32(bytes[0]!) - 24);
      if (bits < MIN_RSA_BITS) return `RSA key is ${bits} bits; at least ${MIN_RSA_BITS} are required`;
      if (bits > MAX_RSA_BITS) return `RSA key is ${bits} bits; at most ${MAX_RSA_BITS} are accepted`;
      return undefined;
    }
    default:
      return `unsupported key type ${String(jwk.kty)}`;
  }
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
export function thumbprint(jwk: JWK): string {
  const required = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
    : jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
    : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

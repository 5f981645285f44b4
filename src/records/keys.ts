// Publisher keys for the CLI and the demo: generate, store, load, sign. The JWS made
// here is exactly what verifyCompactJws accepts: protected header {alg, jwk[, typ]}.
import { createPrivateKey, generateKeyPair } from 'node:crypto';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { calculateJwkThumbprint, CompactSign, importJWK, type JWK } from 'jose';
import { StewardError } from '../errors/index.js';
import { ALGORITHMS, nonCanonicalProblem, type PublisherAlg } from './jwk.js';

export interface PublisherKey {
  alg: PublisherAlg;
  /** Private JWK with `alg` and `kid` (= fingerprint). */
  privateJwk: JWK;
  /** Public members only: what goes in the JWS header. */
  publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of publicJwk, base64url. */
  fingerprint: string;
}

function publicOf(jwk: JWK): JWK {
  switch (jwk.kty) {
    case 'EC': return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
    case 'OKP': return { kty: 'OKP', crv: jwk.crv, x: jwk.x };
    case 'RSA': return { kty: 'RSA', n: jwk.n, e: jwk.e };
    default: throw new StewardError('BAD_REQUEST', `unsupported key type ${String(jwk.kty)}; use EC P-256, Ed25519 or RSA`);
  }
}

function algOf(jwk: JWK): PublisherAlg {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'RSA') return 'RS256';
  throw new StewardError('BAD_REQUEST', `unsupported key (${String(jwk.kty)} ${String(jwk.crv ?? '')}); use EC P-256, Ed25519 or RSA`);
}

async function fromPrivateJwk(jwk: JWK): Promise<PublisherKey> {
  if (typeof jwk.d !== 'string') throw new StewardError('BAD_REQUEST', 'the key file holds no private key (no "d" member)');
  const alg = algOf(jwk);
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new StewardError('BAD_REQUEST', `the key's alg ${String(jwk.alg)} does not fit its type; expected ${alg}`);
  }
  const publicJwk = publicOf(jwk);
  // A key every registry would refuse (RSA over 4096 bits, e other than 65537, a
  // non-minimal encoding) is refused here, before anything is signed with it.
  const problem = nonCanonicalProblem(publicJwk);
  if (problem) throw new StewardError('BAD_REQUEST', `the key cannot publish: ${problem.replace('the header jwk', 'its public key')}`);
  const fingerprint = await calculateJwkThumbprint(publicJwk, 'sha256');
  return { alg, privateJwk: { ...jwk, alg, kid: fingerprint }, publicJwk, fingerprint };
}

export async function generatePublisherKey(alg: PublisherAlg = 'ES256'): Promise<PublisherKey> {
  if (!ALGORITHMS.includes(alg)) throw new StewardError('BAD_REQUEST', `unsupported alg ${String(alg)}; use ${ALGORITHMS.join(', ')}`);
  // The pair comes out as PKCS#8 DER and is exported as JWK from a KeyObject of its own. On
  // Node 20, a JWK export of the generator's own KeyObject holds the key's mutex while it
  // allocates, and a garbage collection that frees the finished key-generation job then
  // locks that mutex again: the thread deadlocks (seen with gdb in bench-load).
  const pkcs8 = await generateDer(alg);
  return fromPrivateJwk(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as JWK);
}

const DER = { privateKeyEncoding: { format: 'der', type: 'pkcs8' }, publicKeyEncoding: { format: 'der', type: 'spki' } } as const;

function generateDer(alg: PublisherAlg): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _spki: Buffer, pkcs8: Buffer) => (err ? reject(err) : resolve(pkcs8));
    if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256', ...DER }, done);
    else if (alg === 'EdDSA') generateKeyPair('ed25519', DER, done);
    else generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001, ...DER }, done);
  });
}

/** Writes the private JWK as JSON, readable by the owner only (mode 0600). */
export async function writeKeyFile(path: string, key: PublisherKey): Promise<void> {
  await writeFile(path, `${JSON.stringify(key.privateJwk, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // writeFile's mode is ignored when the file already exists
}

/** Reads a key written by writeKeyFile, or a PKCS#8 PEM private key. */
export async function readKeyFile(path: string): Promise<PublisherKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StewardError('BAD_REQUEST', `cannot read key file ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    if (!/-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----/.test(trimmed) && !/-----BEGIN (?:EC|RSA) PRIVATE KEY-----/.test(trimmed)) {
      throw new StewardError('BAD_REQUEST', `key file ${path} is a PEM file but not a private key (expected PKCS#8 "BEGIN PRIVATE KEY")`);
    }
    let jwk: JWK;
    try {
      jwk = createPrivateKey(trimmed).export({ format: 'jwk' }) as JWK;
    } catch (err) {
      throw new StewardError('BAD_REQUEST', `key file ${path} is not a readable PEM private key: ${(err as Error).message}`);
    }
    return fromPrivateJwk(jwk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new StewardError('BAD_REQUEST', `key file ${path} is neither a JWK JSON file nor a PEM private key`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new StewardError('BAD_REQUEST', `key file ${path} must hold one JWK object`);
  }
  const key = await fromPrivateJwk(parsed as JWK);
  await importPrivate(key).catch((err: Error) => {
    throw new StewardError('BAD_REQUEST', `key file ${path} holds an unusable key: ${err.message}`);
  });
  return key;
}

// Importing a private key is slow next to signing; the demo signs many manifests.
const imported = new WeakMap<PublisherKey, Promise<CryptoKey | Uint8Array>>();
function importPrivate(key: PublisherKey): Promise<CryptoKey | Uint8Array> {
  let p = imported.get(key);
  if (!p) {
    const members = Object.fromEntries(Object.entries(key.privateJwk).filter(([k]) => k !== 'kid' && k !== 'key_ops' && k !== 'use'));
    p = importJWK(members as JWK, key.alg);
    imported.set(key, p);
    p.catch(() => imported.delete(key));
  }
  return p;
}

/** Signs a JSON payload as a compact JWS with the public key embedded in the header. */
export async function signCompact(payload: object, key: PublisherKey, opts: { typ?: string } = {}): Promise<string> {
  const header: { alg: string; jwk: JWK; typ?: string } = { alg: key.alg, jwk: key.publicJwk };
  if (opts.typ) header.typ = opts.typ;
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader(header).sign(await importPrivate(key));
}


// Registry key pairs: RSA-4096 (default, as in the seed) or P-256. Keys travel as PEM
// (PKCS#8 private, SPKI public); private key files are written 0600 and never replaced
// silently. Certificate fingerprints are SPEC §5's keyid: `sha256:` + hex of the DER.
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject, webcrypto } from 'node:crypto';
import { chmodSync, closeSync, openSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { StewardError } from '../errors/index.js';

export type KeyAlg = 'rsa4096' | 'p256';

export interface RegistryKeyPair {
  alg: KeyAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const generate = promisify(generateKeyPair);

/** A fresh key pair. RSA-4096 generation takes ~0.5–3 s (off the event loop). */
export async function generateKeys(alg: KeyAlg = 'rsa4096'): Promise<RegistryKeyPair> {
  const { privateKey, publicKey } =
    alg === 'p256'
      ? await generate('ec', { namedCurve: 'prime256v1' })
      : await generate('rsa', { modulusLength: 4096, publicExponent: 0x10001 });
  return { alg, privateKey, publicKey };
}

/** Which of our algorithms a key is; anything else (RSA < 2048, other curves) is refused. */
export function keyAlgOf(key: KeyObject): KeyAlg {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'rsa4096';
  throw new StewardError('BAD_REQUEST', 'key must be RSA (≥ 2048 bits, 4096 by default) or EC P-256');
}

export function privateKeyToPem(kp: RegistryKeyPair): string {
  return kp.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export function publicKeyToPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }) as string;
}

/** Reads a PKCS#8 / PKCS#1 / SEC1 private key PEM. */
export function keysFromPem(privatePem: string): RegistryKeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
  } catch {
    throw new StewardError('BAD_REQUEST', 'not a PEM private key');
  }
  const publicKey = createPublicKey(privateKey);
  return { alg: keyAlgOf(publicKey), privateKey, publicKey };
}

export function publicKeyFromPem(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new StewardError('BAD_REQUEST', 'not a PEM public key');
  }
}

/**
 * Writes a private key 0600. `exclusive` (default) refuses an existing file (EEXIST), so
 * two processes can never both think they made the key.
 */
export function writePrivateKeyFile(path: string, kp: RegistryKeyPair, { exclusive = true } = {}): void {
  const fd = openSync(path, exclusive ? 'wx' : 'w', 0o600);
  try {
    writeSync(fd, privateKeyToPem(kp));
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600); // umask cannot widen it, but an existing file (exclusive=false) may be 0644
}

/** SPEC §5 keyid: `sha256:` + lowercase hex SHA-256 of the certificate's DER. */
export function fingerprint(der: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(der).digest('hex');
}

/** The WebCrypto signing parameters our certificates use for a key of this algorithm. */
export function signingAlgorithm(alg: KeyAlg): RsaHashedImportParams | EcKeyImportParams & EcdsaParams {
  return alg === 'p256'
    ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/** The key pair as WebCrypto keys (what @peculiar/x509 signs with). */
export async function toCryptoKeys(kp: RegistryKeyPair): Promise<CryptoKeyPair> {
  const algo = signingAlgorithm(kp.alg);
  const subtle = webcrypto.subtle;
  const pkcs8 = kp.privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = kp.publicKey.export({ type: 'spki', format: 'der' });
  const [privateKey, publicKey] = await Promise.all([
    subtle.importKey('pkcs8', pkcs8, algo, false, ['sign']),
    subtle.importKey('spki', spki, algo, true, ['verify']),
  ]);
  return { privateKey, publicKey } as CryptoKeyPair;
}

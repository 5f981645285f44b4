// The three RFC 9421 §3.3 algorithms SPEC §5 allows, and which key may use which.
// RSA-PSS: MGF1 with SHA-512 and a 64-byte salt (§3.3.1). ECDSA: the signature is r||s,
// 32 bytes each (§3.3.4), not DER, hence `dsaEncoding: 'ieee-p1363'`.
import { constants, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { StewardError } from '../../errors/index.js';

export const ALGS = ['rsa-pss-sha512', 'rsa-v1_5-sha256', 'ecdsa-p256-sha256'] as const;
export type SigAlg = (typeof ALGS)[number];

export const isAlg = (v: string): v is SigAlg => (ALGS as readonly string[]).includes(v);

/** The algorithms a key (public or private) may sign with; [] for any other key. */
export function algsForKey(key: KeyObject): readonly SigAlg[] {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return ['rsa-pss-sha512', 'rsa-v1_5-sha256'];
  if (type === 'rsa-pss') return ['rsa-pss-sha512'];
  if (type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return ['ecdsa-p256-sha256'];
  return [];
}

/** RSA keys sign with RSA-PSS, P-256 keys with ECDSA. */
export function defaultAlg(key: KeyObject): SigAlg {
  const algs = algsForKey(key.type === 'private' ? createPublicKey(key) : key);
  if (algs.length === 0) throw new StewardError('BAD_CONFIG', `a ${key.asymmetricKeyType} key cannot sign requests: use RSA or P-256`);
  return algs[0]!;
}

function params(alg: SigAlg, key: KeyObject) {
  switch (alg) {
    case 'rsa-pss-sha512':
      return { hash: 'sha512', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 } };
    case 'rsa-v1_5-sha256':
      return { hash: 'sha256', key: { key, padding: constants.RSA_PKCS1_PADDING } };
    case 'ecdsa-p256-sha256':
      return { hash: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' as const } };
  }
}

export function signBytes(alg: SigAlg, privateKey: KeyObject, data: Buffer): Buffer {
  const p = params(alg, privateKey);
  return sign(p.hash, data, p.key);
}

/** True when `sig` is `alg`'s signature of `data` under `publicKey`; never throws. */
export function verifyBytes(alg: SigAlg, publicKey: KeyObject, data: Buffer, sig: Uint8Array): boolean {
  if (alg === 'ecdsa-p256-sha256' && sig.length !== 64) return false;
  const bits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (alg !== 'ecdsa-p256-sha256' && (bits === undefined || sig.length !== Math.ceil(bits / 8))) return false;
  const p = params(alg, publicKey);
  try {
    return verify(p.hash, data, p.key, sig);
  } catch {
    return false;
  }
}

// The signer for registry-to-registry requests (SPEC §5): given the method, URL and body
// of a request and the sender's identity, the headers that make it signed —
// Content-Digest (when there is a body), Signature-Input, Signature and
// Steward-Certificate-Chain. What depends only on the identity (keyid, alg, the chain
// header) is computed once in createSigner; each request costs a digest and one signature.
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { StewardError } from '../../errors/index.js';
import { algsForKey, defaultAlg, signBytes, type SigAlg } from './algs.js';
import { signatureBase } from './base.js';
import { contentDigest } from './digest.js';
import { keyIdOf, LABEL, LIMITS, signatureInputMember } from './profile.js';
import { serializeInnerList } from './sfv.js';

export interface SignerIdentity {
  /** RSA or P-256 private key of the sender's registry certificate. */
  privateKey: KeyObject;
  /** DER certificates: the sender's own first, then its issuers up to the root. */
  chain: readonly Uint8Array[];
  /** Default: rsa-pss-sha512 for RSA keys, ecdsa-p256-sha256 for P-256. */
  alg?: SigAlg;
}

export interface RequestToSign {
  method: string;
  url: string | URL;
  body?: Uint8Array | string;
  /** Milliseconds since the epoch; default Date.now(). */
  now?: number;
  /** expires - created, 1..300 s; default 300. */
  lifetimeSeconds?: number;
}

/** Header names as SPEC §5 spells them. */
export interface SignedHeaders {
  'Signature-Input': string;
  Signature: string;
  'Steward-Certificate-Chain': string;
  'Content-Digest'?: string;
}

export interface Signer {
  readonly keyid: string;
  readonly alg: SigAlg;
  sign(req: RequestToSign): SignedHeaders;
}

const config = (detail: string): never => {
  throw new StewardError('BAD_CONFIG', `request signer: ${detail}`);
};

export function createSigner({ privateKey, chain, alg }: SignerIdentity): Signer {
  if (privateKey.type !== 'private') config('the key must be a private key');
  if (chain.length === 0 || chain.length > LIMITS.chainCerts) config(`the chain must hold 1 to ${LIMITS.chainCerts} certificates`);
  for (const der of chain) if (der.length === 0 || der.length > LIMITS.certBytes) config(`each certificate must be 1 to ${LIMITS.certBytes} bytes of DER`);
  const chosen = alg ?? defaultAlg(privateKey);
  if (!algsForKey(createPublicKey(privateKey)).includes(chosen)) config(`alg ${chosen} does not match a ${privateKey.asymmetricKeyType} key`);
  const keyid = keyIdOf(chain[0]!);
  const chainHeader = chain.map((der) => `:${Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64')}:`).join(', ');
  if (chainHeader.length > LIMITS.chainHeaderChars) config('the chain is too large for Steward-Certificate-Chain');

  return {
    keyid,
    alg: chosen,
    sign({ method, url, body, now = Date.now(), lifetimeSeconds = LIMITS.maxLifetimeSeconds }) {
      if (!/^[A-Z]{1,16}$/.test(method)) throw new StewardError('BAD_REQUEST', `request signer: method ${JSON.stringify(method)} must be an upper-case token`);
      if (!(lifetimeSeconds >= 1 && lifetimeSeconds <= LIMITS.maxLifetimeSeconds)) config(`lifetime must be 1 to ${LIMITS.maxLifetimeSeconds} s`);
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') config(`cannot sign a ${target.protocol} URL`);
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      const digest = bytes && bytes.length > 0 ? contentDigest(bytes) : undefined;
      const created = Math.floor(now / 1000);
      const member = signatureInputMember(digest !== undefined, {
        created,
        expires: created + Math.floor(lifetimeSeconds),
        nonce: randomBytes(16).toString('base64url'),
        keyid,
        alg: chosen,
      });
      const base = signatureBase(member, {
        method,
        targetUri: target.href,
        field: (name) => (name === 'content-digest' ? digest : undefined),
      });
      const sig = signBytes(chosen, privateKey, Buffer.from(base));
      const headers: SignedHeaders = {
        'Signature-Input': `${LABEL}=${serializeInnerList(member)}`,
        Signature: `${LABEL}=:${sig.toString('base64')}:`,
        'Steward-Certificate-Chain': chainHeader,
      };
      if (digest) headers['Content-Digest'] = digest;
      return headers;
    },
  };
}

/** One-shot form of createSigner(identity).sign(req). */
export const signRequest = (req: RequestToSign & SignerIdentity): SignedHeaders => createSigner(req).sign(req);

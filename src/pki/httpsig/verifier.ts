// The signed-request verifier (SPEC §5). A request goes through these stages, in this
// order, and the first that fails answers with its problem:
//
//   1. syntax     Signature-Input / Signature / Content-Digest / Steward-Certificate-Chain
//                 parse (RFC 8941), are within bounds and in the SPEC profile
//                 → 401 SIGNATURE_MISSING when unsigned, else 400 BAD_REQUEST
//   2. digest     Content-Digest matches the exact body bytes (RFC 9530)  → 400 BAD_REQUEST
//   3. chain      keyid names the leaf; the chain reaches our root anchor with name
//                 constraints and revocation (the injected `verifyChain`)  → 401 CERT_INVALID
//   4. signature  alg matches the leaf's key type; the RFC 9421 signature base verifies
//                 under the leaf's key; the target URI is one of ours      → 401 SIGNATURE_INVALID
//   5. clock      created within ±300 s of our clock, expires not past    → 401 CLOCK_SKEW
//   6. nonce      keyid+nonce not seen while the signature is acceptable  → 401 REPLAY
//                 (store down → 503 NONCE_STORE_DOWN: refused, never accepted)
//
// It then returns the verified sender; whether that sender may do what it asks
// (403 NOT_PERMITTED) is the route's decision. Stages 1–2 cost no cryptography beyond a
// hash, so hostile junk is turned away before the chain check runs.
import type { KeyObject } from 'node:crypto';
import { StewardError } from '../../errors/index.js';
import { algsForKey, verifyBytes, type SigAlg } from './algs.js';
import { signatureBase } from './base.js';
import { checkContentDigest } from './digest.js';
import type { NonceStore } from './nonce/types.js';
import { LIMITS, parseSignedHeaders } from './profile.js';

/** The chain check the verifier is given (src/pki provides the real one). */
export type ChainVerdict =
  | { ok: true; leafPublicKey: KeyObject; zone: string; certFingerprint: string }
  | { ok: false; reason: string };
export type ChainCheck = (derChain: Uint8Array[], at: Date) => Promise<ChainVerdict>;

/** What the verifier needs of a request; the hono middleware builds it from the Context. */
export interface SignedRequestView {
  method: string;
  /** The full target URI as this node received it, e.g. http://127.0.0.1:7310/v1/push */
  targetUri: string;
  header(name: string): string | null | undefined;
  body: Uint8Array;
}

export interface VerifiedSender {
  /** The sender's zone, from its certificate (via verifyChain). */
  zone: string;
  certFingerprint: string;
  keyid: string;
  alg: SigAlg;
  created: number;
  expires: number;
  nonce: string;
  /** The DER chain as sent, leaf first. */
  chain: Buffer[];
}

export interface VerifierOptions {
  verifyChain: ChainCheck;
  nonces: NonceStore;
  /** Milliseconds since the epoch. */
  now?: () => number;
  skewSeconds?: number;
  /**
   * The origins senders may address this node by (e.g. ["https://com.example.org"]).
   * Given, a request signed for another origin is refused even when its Host header was
   * rewritten to ours; unset, the target URI is taken from the request as received.
   */
  origins?: readonly string[];
}

export type Verifier = (req: SignedRequestView) => Promise<VerifiedSender>;

const refuse = (code: 'CERT_INVALID' | 'SIGNATURE_INVALID' | 'CLOCK_SKEW' | 'REPLAY', detail: string): never => {
  throw new StewardError(code, detail);
};

export function createVerifier({ verifyChain, nonces, now = Date.now, skewSeconds = LIMITS.skewSeconds, origins }: VerifierOptions): Verifier {
  const allowed = origins ? new Set(origins.map((o) => new URL(o).origin)) : undefined;

  return async function verifySignedRequest(req) {
    // 1. syntax
    const parsed = parseSignedHeaders((n) => req.header(n), req.body.length);
    const { params, chain } = parsed;

    // 2. digest
    if (parsed.digest !== undefined) checkContentDigest(parsed.digest, req.body);

    // 3. chain
    if (parsed.leafKeyId !== params.keyid) refuse('CERT_INVALID', 'keyid is not the SHA-256 of the leaf certificate in Steward-Certificate-Chain');
    const atMs = now();
    let verdict: ChainVerdict;
    try {
      verdict = await verifyChain(chain, new Date(atMs));
    } catch (err) {
      if (err instanceof StewardError) throw err;
      verdict = { ok: false, reason: `the chain could not be checked: ${(err as Error)?.message ?? String(err)}` };
    }
    if (!verdict.ok) return refuse('CERT_INVALID', verdict.reason);

    // 4. signature
    if (!algsForKey(verdict.leafPublicKey).includes(params.alg)) {
      refuse('SIGNATURE_INVALID', `alg ${params.alg} does not match the leaf's ${verdict.leafPublicKey.asymmetricKeyType} key`);
    }
    if (allowed) {
      let origin = '';
      try {
        origin = new URL(req.targetUri).origin;
      } catch { /* refused below */ }
      if (!allowed.has(origin)) refuse('SIGNATURE_INVALID', `the request is addressed to ${origin || 'an unknown origin'}, not to this registry`);
    }
    const base = signatureBase(parsed.covered, { method: req.method, targetUri: req.targetUri, field: (n) => req.header(n) });
    if (!verifyBytes(params.alg, verdict.leafPublicKey, Buffer.from(base), parsed.signature)) {
      refuse('SIGNATURE_INVALID', 'the signature does not verify over the RFC 9421 signature base with the leaf certificate\'s key');
    }

    // 5. clock
    const nowS = Math.floor(atMs / 1000);
    if (Math.abs(params.created - nowS) > skewSeconds) {
      refuse('CLOCK_SKEW', `created is ${params.created - nowS} s from this registry's clock (allowed ±${skewSeconds} s)`);
    }
    if (params.expires < nowS) refuse('CLOCK_SKEW', `the signature expired ${nowS - params.expires} s ago`);

    // 6. nonce: remembered for as long as stage 5 would still let this signature through.
    const ttl = Math.min(params.expires, params.created + skewSeconds) - nowS + 1;
    if (!(await nonces.claim(`${params.keyid}:${params.nonce}`, Math.max(1, ttl)))) {
      refuse('REPLAY', 'this signature nonce was already used');
    }

    return {
      zone: verdict.zone,
      certFingerprint: verdict.certFingerprint,
      keyid: params.keyid,
      alg: params.alg,
      created: params.created,
      expires: params.expires,
      nonce: params.nonce,
      chain,
    };
  };
}

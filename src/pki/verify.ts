// Chain verification, in the order OpenSSL's X509_verify_cert reports failures, so our
// verdict and `openssl verify`'s agree (test/pki/openssl-diff.test.ts holds us to it):
//   1. path: leaf → given intermediates → a trust anchor (subject/issuer names + key ids)
//   2. CA flags, keyUsage keyCertSign, pathLenConstraint of every issuer (anchor included)
//   3. revocation: the issuer's CRL for every certificate, anchor included (crl_check_all)
//   4. signatures and validity times of every certificate (anchor's times too)
//   5. name constraints of every issuer, the anchor's included
//   6. identity (our profile, not X.509): the leaf names exactly one zone, CN = SAN dNSName
// A pure function of the DERs, the anchors, the time and the CRLs `crlFor` returns.
import { StewardError } from '../errors/index.js';
import { checkCrl, type ParsedCrl } from './crl.js';
import { canonicalZone } from './issue.js';
import { violatingName } from './name-constraints.js';
import { KU_KEY_CERT_SIGN, parseCertificate, type ParsedCert } from './parse.js';

export type ChainFailure =
  | 'MALFORMED' | 'NO_PATH' | 'NOT_CA' | 'PATH_LENGTH' | 'UNHANDLED_CRITICAL'
  | 'CRL_UNAVAILABLE' | 'CRL_INVALID' | 'CRL_NOT_YET_VALID' | 'CRL_EXPIRED' | 'REVOKED'
  | 'BAD_SIGNATURE' | 'NOT_YET_VALID' | 'EXPIRED'
  | 'NAME_CONSTRAINT' | 'NAME_CONSTRAINT_UNSUPPORTED' | 'IDENTITY';

export interface ChainOk {
  ok: true;
  /** leaf first, the anchor last */
  path: ParsedCert[];
  leaf: ParsedCert;
  /** The leaf's zone (lowercase), when `checkIdentity`; else its first SAN dNSName or CN. */
  zone: string;
  fingerprint: string;
  /** The verdict holds while `at` stays within [validFrom, validUntil] (ms). */
  validFrom: number;
  validUntil: number;
}

export interface ChainRefused {
  ok: false;
  reason: ChainFailure;
  detail: string;
  /** Position in the path (0 = leaf) of the certificate that failed, as OpenSSL's "depth". */
  depth: number;
}

export type ChainVerdict = ChainOk | ChainRefused;

export interface VerifyOptions {
  /** Time to verify at, ms since epoch (default now). */
  at?: number;
  /** The current CRL of an issuer (callers cache and refresh these); undefined = none known. */
  crlFor?: (issuer: ParsedCert) => ParsedCrl | undefined;
  /** Refuse when an issuer has no CRL (OpenSSL -crl_check_all). Default false: no CRL, no check. */
  requireCrl?: boolean;
  /** Check the registry profile: exactly one SAN dNSName, equal to the one CN. Default true. */
  checkIdentity?: boolean;
  /** Longest path considered (default 10 certificates). */
  maxDepth?: number;
}

export type CertInput = string | Uint8Array | ParsedCert;

/** Certificates a sender may send besides its leaf (each costs a parse). */
export const MAX_INTERMEDIATES = 16;

const parsed = (c: CertInput): ParsedCert => (typeof c === 'object' && 'fingerprint' in c ? c : parseCertificate(c));
const refuse = (reason: ChainFailure, depth: number, detail: string): ChainRefused => ({ ok: false, reason, detail, depth });

/** OpenSSL's X509_check_ca: may this certificate issue certificates? */
function isCa(c: ParsedCert): boolean {
  if (c.keyUsage !== undefined && !(c.keyUsage & KU_KEY_CERT_SIGN)) return false;
  if (c.basicCa !== undefined) return c.basicCa;
  if (c.keyUsage !== undefined) return true;
  return c.version === 1 && c.selfIssued;
}

const issuedBy = (child: ParsedCert, issuer: ParsedCert) =>
  child.issuer === issuer.subject && !(child.aki && issuer.ski && child.aki !== issuer.ski);

function buildPath(leaf: ParsedCert, pool: ParsedCert[], anchors: ParsedCert[], maxDepth: number): ParsedCert[] | ChainRefused {
  const path = [leaf];
  for (let cur = leaf; ; ) {
    if (anchors.some((a) => a.fingerprint === cur.fingerprint)) return path;
    const anchor = anchors.find((a) => issuedBy(cur, a));
    if (anchor) return [...path, anchor];
    if (cur.selfIssued && issuedBy(cur, cur)) return refuse('NO_PATH', path.length - 1, 'chain ends in a self-signed certificate that is not our root');
    const next = pool.find((c) => issuedBy(cur, c) && !path.includes(c));
    if (!next) return refuse('NO_PATH', path.length - 1, 'no issuer certificate reaches our root');
    if (path.length >= maxDepth) return refuse('NO_PATH', path.length - 1, 'chain is too long');
    path.push(next);
    cur = next;
  }
}

export function verifyChain(leafIn: CertInput, intermediatesIn: CertInput[], anchorsIn: CertInput[], opts: VerifyOptions = {}): ChainVerdict {
  const at = opts.at ?? Date.now();
  if (intermediatesIn.length > MAX_INTERMEDIATES) return refuse('MALFORMED', 0, `more than ${MAX_INTERMEDIATES} certificates in the chain`);
  let leaf: ParsedCert, pool: ParsedCert[], anchors: ParsedCert[];
  try {
    leaf = parsed(leafIn);
    pool = intermediatesIn.map(parsed);
    anchors = anchorsIn.map(parsed);
  } catch (err) {
    return refuse('MALFORMED', 0, (err as Error).message);
  }
  const built = buildPath(leaf, pool, anchors, opts.maxDepth ?? 10);
  if (!Array.isArray(built)) return built;
  const path = built;
  const top = path.length - 1;

  // 2. extensions: CA flags and path length (OpenSSL check_extensions)
  let plen = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c.unhandledCritical) return refuse('UNHANDLED_CRITICAL', i, `unhandled critical extension ${c.unhandledCritical}`);
    if (i > 0 && !isCa(c)) return refuse('NOT_CA', i, 'issuer is not a CA (basicConstraints / keyUsage keyCertSign)');
    if (i > 1 && c.pathLen !== undefined && plen > c.pathLen) return refuse('PATH_LENGTH', i, 'pathLenConstraint exceeded');
    if (i > 0 && !c.selfIssued) plen++;
  }

  // 3. revocation along the chain (the anchor against its own CRL, as crl_check_all does)
  if (opts.crlFor) {
    for (let i = 0; i < path.length; i++) {
      const c = path[i]!;
      const issuer = path[Math.min(i + 1, top)]!;
      const crl = opts.crlFor(issuer);
      if (!crl) {
        if (opts.requireCrl) return refuse('CRL_UNAVAILABLE', i, 'no CRL for the issuer');
        continue;
      }
      const bad = checkCrl(crl, issuer, at);
      if (bad) return refuse(bad.problem, i, bad.detail);
      if (crl.revoked.has(c.serialHex)) return refuse('REVOKED', i, `certificate ${c.serialHex} is revoked`);
    }
  }

  // 4. signatures (top down, the anchor's self-signature is not checked) and times
  for (let i = top; i >= 0; i--) {
    const c = path[i]!;
    if (i < top) {
      let good = false;
      try {
        good = c.native.verify(path[i + 1]!.publicKey);
      } catch {
        good = false;
      }
      if (!good) return refuse('BAD_SIGNATURE', i, 'certificate signature does not verify with its issuer key');
    }
    if (at < c.notBefore) return refuse('NOT_YET_VALID', i, `certificate is not valid before ${new Date(c.notBefore).toISOString()}`);
    if (at > c.notAfter) return refuse('EXPIRED', i, `certificate expired at ${new Date(c.notAfter).toISOString()}`);
  }

  // 5. name constraints of every issuer above each certificate (self-issued CAs exempt)
  for (let i = top; i >= 0; i--) {
    const c = path[i]!;
    if (i > 0 && c.selfIssued) continue;
    for (let j = top; j > i; j--) {
      const nc = path[j]!.nameConstraints;
      if (!nc) continue;
      if (nc.unsupported) return refuse('NAME_CONSTRAINT_UNSUPPORTED', i, 'issuer has name constraints other than plain dNSName subtrees');
      const bad = violatingName(c, nc, i === 0);
      if (bad !== undefined) return refuse('NAME_CONSTRAINT', i, `name ${JSON.stringify(bad)} is outside the issuer's permitted zone`);
    }
  }

  // 6. registry identity
  let zone = (leaf.dnsNames[0] ?? leaf.commonNames[0] ?? '').toLowerCase();
  if (opts.checkIdentity ?? true) {
    const cn = leaf.commonNames;
    let z: string | undefined;
    try {
      z = leaf.dnsNames.length === 1 && cn.length === 1 ? canonicalZone(leaf.dnsNames[0]!) : undefined;
    } catch {
      z = undefined;
    }
    if (!z || z !== leaf.dnsNames[0]!.toLowerCase() || cn[0]!.toLowerCase() !== z) {
      return refuse('IDENTITY', 0, 'leaf must name exactly one zone: one CN equal to one SAN dNSName');
    }
    zone = z;
  }
  return {
    ok: true, path, leaf, zone, fingerprint: leaf.fingerprint,
    validFrom: Math.max(...path.map((c) => c.notBefore)),
    validUntil: Math.min(...path.map((c) => c.notAfter)),
  };
}

/** The 401 CERT_INVALID problem for a refused chain (`reason` and `depth` in the body). */
export function chainError(v: ChainRefused): StewardError {
  return new StewardError('CERT_INVALID', `certificate chain refused: ${v.reason} at depth ${v.depth}: ${v.detail}`, { reason: v.reason, depth: v.depth });
}

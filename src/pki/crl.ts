// X.509 v2 CRLs (RFC 5280 §5): a registry revokes the certificates it issued by listing
// their serials in a CRL signed with its own key. `issueCrl` writes one that
// `openssl verify -crl_check` accepts (AKI + CRL number, reason codes, nextUpdate);
// `parseCrl` reads one, `checkCrl` decides whether it may be used for an issuer.
import { verify as verifySig } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AuthorityKeyIdentifier, CertificateList, CRLNumber, CRLReason, id_ce_authorityKeyIdentifier, id_ce_cRLNumber, id_ce_cRLReasons } from '@peculiar/asn1-x509';
import { StewardError } from '../errors/index.js';
import { children, hexOf, readTlv, whole } from './der.js';
import { signingAlgorithm, toCryptoKeys, type RegistryKeyPair } from './keys.js';
import { KU_CRL_SIGN, derToPem, normalSerial, type ParsedCert } from './parse.js';
import { x509 } from './x509-lib.js';

export type RevocationReason = keyof typeof x509.X509CrlReason;

export interface Revocation {
  serialHex: string;
  revokedAt: Date;
  reason?: RevocationReason;
}

export interface CrlOptions {
  /** Issuer certificate (PEM or DER) and its key pair. */
  issuer: { certificate: string | Uint8Array; keys: RegistryKeyPair };
  revoked: Revocation[];
  thisUpdate?: Date;
  /** Default thisUpdate + 1 day; verifiers refresh at least every 5 minutes anyway. */
  nextUpdate?: Date;
  crlNumber?: number;
}

export async function issueCrl(opts: CrlOptions): Promise<{ pem: string; der: Uint8Array }> {
  const issuerCert = new x509.X509Certificate(opts.issuer.certificate as string);
  const thisUpdate = opts.thisUpdate ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuerCert.subjectName,
    thisUpdate,
    nextUpdate: opts.nextUpdate ?? new Date(thisUpdate.getTime() + 24 * 3600_000),
    signingKey: (await toCryptoKeys(opts.issuer.keys)).privateKey,
    signingAlgorithm: signingAlgorithm(opts.issuer.keys.alg),
    extensions: [
      await x509.AuthorityKeyIdentifierExtension.create(issuerCert),
      new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(opts.crlNumber ?? Math.floor(thisUpdate.getTime() / 1000)))),
    ],
    entries: opts.revoked.map((r) => ({
      serialNumber: r.serialHex,
      revocationDate: r.revokedAt,
      reason: r.reason === undefined ? undefined : x509.X509CrlReason[r.reason],
    })),
  });
  const der = new Uint8Array(crl.rawData);
  return { pem: derToPem(der, 'X509 CRL'), der };
}

export interface ParsedCrl {
  der: Uint8Array;
  issuer: string; // hex of the issuer Name DER
  thisUpdate: number;
  nextUpdate?: number;
  aki?: string;
  /** normalised serial hex → revocation */
  revoked: Map<string, { revokedAt: number; reason?: number }>;
  unhandledCritical?: string;
  tbs: Uint8Array;
  sigAlgOid: string;
  signature: Uint8Array;
  /** Fingerprint of the issuer whose key the signature verified with (memo). */
  verifiedBy?: string;
}

const hex = (b: ArrayBuffer) => Buffer.from(new Uint8Array(b)).toString('hex');

/** The CRL issuer Name's DER exactly as sent (compared bytewise with certificate subjects). */
function issuerHex(der: Uint8Array): string {
  const tbs = children(der, readTlv(der, children(der, readTlv(der, 0))[0]!.start));
  const at = tbs[0]!.tag === 0x02 ? 2 : 1; // optional version, then signature algorithm
  return hexOf(whole(der, tbs[at]!));
}

/** The first element inside a DER SEQUENCE (the tbsCertList bytes as signed). */
function firstElement(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('DER: not one CRL');
  return whole(der, readTlv(der, outer.body, outer.end));
}

export function parseCrl(input: string | Uint8Array): ParsedCrl {
  let der: Uint8Array;
  if (typeof input === 'string') {
    const m = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(input);
    if (!m) throw new StewardError('BAD_REQUEST', 'not a PEM X.509 CRL');
    der = new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  } else der = input;
  try {
    const cl = AsnConvert.parse(der, CertificateList);
    const tbs = cl.tbsCertList;
    const out: ParsedCrl = {
      der,
      issuer: issuerHex(der),
      thisUpdate: tbs.thisUpdate.getTime().getTime(),
      nextUpdate: tbs.nextUpdate?.getTime().getTime(),
      revoked: new Map(),
      tbs: firstElement(der),
      sigAlgOid: cl.signatureAlgorithm.algorithm,
      signature: new Uint8Array(cl.signature),
    };
    for (const ext of tbs.crlExtensions ?? []) {
      if (ext.extnID === id_ce_authorityKeyIdentifier) {
        const ki = AsnConvert.parse(ext.extnValue.buffer, AuthorityKeyIdentifier).keyIdentifier;
        if (ki) out.aki = hex(ki.buffer);
      }
      else if (ext.critical && ext.extnID !== id_ce_cRLNumber) out.unhandledCritical ??= ext.extnID;
    }
    for (const rc of tbs.revokedCertificates ?? []) {
      let reason: number | undefined;
      for (const ext of rc.crlEntryExtensions ?? []) {
        if (ext.extnID === id_ce_cRLReasons) reason = AsnConvert.parse(ext.extnValue.buffer, CRLReason).reason;
        else if (ext.critical) out.unhandledCritical ??= ext.extnID;
      }
      out.revoked.set(normalSerial(hex(rc.userCertificate)), { revokedAt: rc.revocationDate.getTime().getTime(), reason });
    }
    return out;
  } catch (err) {
    if (err instanceof StewardError) throw err;
    throw new StewardError('BAD_REQUEST', 'CRL cannot be parsed');
  }
}

const SIG_HASH: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384',
};

export type CrlProblem = 'CRL_INVALID' | 'CRL_NOT_YET_VALID' | 'CRL_EXPIRED';

/** Whether `crl` is a usable CRL of `issuer` at time `at` (ms); undefined = it is. */
export function checkCrl(crl: ParsedCrl, issuer: ParsedCert, at: number): { problem: CrlProblem; detail: string } | undefined {
  if (crl.issuer !== issuer.subject || (crl.aki && issuer.ski && crl.aki !== issuer.ski)) return { problem: 'CRL_INVALID', detail: 'CRL is not from this issuer' };
  if (issuer.keyUsage !== undefined && !(issuer.keyUsage & KU_CRL_SIGN)) return { problem: 'CRL_INVALID', detail: 'issuer may not sign CRLs (keyUsage)' };
  if (crl.unhandledCritical) return { problem: 'CRL_INVALID', detail: `CRL has unhandled critical extension ${crl.unhandledCritical}` };
  const hash = SIG_HASH[crl.sigAlgOid];
  if (crl.verifiedBy !== issuer.fingerprint) {
    let ok = false;
    try {
      ok = !!hash && verifySig(hash, crl.tbs, issuer.publicKey, crl.signature);
    } catch {
      ok = false;
    }
    if (!ok) return { problem: 'CRL_INVALID', detail: 'CRL signature does not verify with the issuer key' };
    crl.verifiedBy = issuer.fingerprint;
  }
  if (at < crl.thisUpdate) return { problem: 'CRL_NOT_YET_VALID', detail: 'CRL thisUpdate is in the future' };
  if (crl.nextUpdate !== undefined && at > crl.nextUpdate) return { problem: 'CRL_EXPIRED', detail: 'CRL is past its nextUpdate' };
  return undefined;
}

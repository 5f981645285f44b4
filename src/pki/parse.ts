// Certificates parsed once into the fields chain verification reads. Parsing is the
// asn1-x509 schema (extensions) plus Node's native X509Certificate (signatures, keys).
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier, BasicConstraints, Certificate, KeyUsage, Name, NameConstraints, SubjectAlternativeName, SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier, id_ce_basicConstraints, id_ce_keyUsage, id_ce_nameConstraints, id_ce_subjectAltName, id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { StewardError } from '../errors/index.js';

/** Critical extensions we understand (anything else critical fails, as in OpenSSL). */
const HANDLED = new Set([
  id_ce_basicConstraints, id_ce_keyUsage, id_ce_subjectAltName, id_ce_nameConstraints, id_ce_subjectKeyIdentifier, id_ce_authorityKeyIdentifier,
  '2.5.29.37', // extKeyUsage
  '2.5.29.32', '2.5.29.33', '2.5.29.36', '2.5.29.54', // policies: we issue none, accept their presence like OpenSSL
]);

export const KU_DIGITAL_SIGNATURE = 1;
export const KU_KEY_CERT_SIGN = 32;
export const KU_CRL_SIGN = 64;

export interface NameSubtrees {
  permittedDns: string[];
  excludedDns: string[];
  /** Subtrees of other name types, or minimum/maximum set: we do not evaluate those. */
  unsupported: boolean;
}

export interface ParsedCert {
  der: Uint8Array;
  fingerprint: string;
  native: X509Certificate;
  publicKey: KeyObject;
  serialHex: string;
  subject: string; // hex of the subject Name DER (compared bytewise)
  issuer: string;
  selfIssued: boolean;
  notBefore: number;
  notAfter: number;
  /** undefined = no basicConstraints extension */
  basicCa?: boolean;
  pathLen?: number;
  /** undefined = no keyUsage extension */
  keyUsage?: number;
  ski?: string;
  aki?: string;
  dnsNames: string[];
  commonNames: string[];
  nameConstraints?: NameSubtrees;
  unhandledCritical?: string;
  version: number;
}

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

/** Strips leading zero octets so a serial compares equal however it was encoded. */
export const normalSerial = (h: string) => h.toLowerCase().replace(/^(00)+(?=.)/, '');

function commonNames(name: Name): string[] {
  const out: string[] = [];
  for (const rdn of name) for (const atv of rdn) if (atv.type === '2.5.4.3') out.push(atv.value.toString());
  return out;
}

function subtrees(nc: NameConstraints): NameSubtrees {
  const res: NameSubtrees = { permittedDns: [], excludedDns: [], unsupported: false };
  for (const [list, into] of [[nc.permittedSubtrees, res.permittedDns], [nc.excludedSubtrees, res.excludedDns]] as const) {
    for (const st of list ?? []) {
      if (st.minimum !== 0 || st.maximum !== undefined) res.unsupported = true;
      if (st.base.dNSName !== undefined) into.push(st.base.dNSName);
      else res.unsupported = true;
    }
  }
  return res;
}

export function toDer(input: string | Uint8Array): Uint8Array {
  if (typeof input !== 'string') return input;
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(input);
  if (!m) throw new StewardError('BAD_CERTIFICATE', 'not a PEM certificate');
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** Every PEM certificate in a bundle, in order. */
export function pemBundleToDers(bundle: string): Uint8Array[] {
  return [...bundle.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => toDer(m[0]));
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** Parses one certificate (PEM or DER); 400 BAD_CERTIFICATE when it cannot be read. */
export function parseCertificate(input: string | Uint8Array): ParsedCert {
  const der = toDer(input);
  try {
    const cert = AsnConvert.parse(der, Certificate);
    const tbs = cert.tbsCertificate;
    const native = new X509Certificate(der);
    const subject = hex(AsnConvert.serialize(tbs.subject));
    const issuer = hex(AsnConvert.serialize(tbs.issuer));
    const p: ParsedCert = {
      der,
      fingerprint: 'sha256:' + createHash('sha256').update(der).digest('hex'),
      native,
      publicKey: native.publicKey,
      serialHex: normalSerial(hex(tbs.serialNumber)),
      subject,
      issuer,
      selfIssued: subject === issuer,
      notBefore: tbs.validity.notBefore.getTime().getTime(),
      notAfter: tbs.validity.notAfter.getTime().getTime(),
      dnsNames: [],
      commonNames: commonNames(tbs.subject),
      version: tbs.version + 1,
    };
    for (const ext of tbs.extensions ?? []) {
      const v = ext.extnValue.buffer;
      switch (ext.extnID) {
        case id_ce_basicConstraints: {
          const bc = AsnConvert.parse(v, BasicConstraints);
          p.basicCa = bc.cA;
          p.pathLen = bc.pathLenConstraint;
          break;
        }
        case id_ce_keyUsage:
          p.keyUsage = AsnConvert.parse(v, KeyUsage).toNumber();
          break;
        case id_ce_subjectAltName:
          for (const gn of AsnConvert.parse(v, SubjectAlternativeName)) if (gn.dNSName !== undefined) p.dnsNames.push(gn.dNSName);
          break;
        case id_ce_nameConstraints:
          p.nameConstraints = subtrees(AsnConvert.parse(v, NameConstraints));
          break;
        case id_ce_subjectKeyIdentifier:
          p.ski = hex(AsnConvert.parse(v, SubjectKeyIdentifier).buffer);
          break;
        case id_ce_authorityKeyIdentifier: {
          const aki = AsnConvert.parse(v, AuthorityKeyIdentifier);
          if (aki.keyIdentifier) p.aki = hex(aki.keyIdentifier.buffer);
          break;
        }
        default:
          if (ext.critical && !HANDLED.has(ext.extnID)) p.unhandledCritical ??= ext.extnID;
      }
    }
    return p;
  } catch (err) {
    if (err instanceof StewardError) throw err;
    throw new StewardError('BAD_CERTIFICATE', 'certificate cannot be parsed');
  }
}

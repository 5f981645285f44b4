// Certificates parsed once into the fields chain verification reads: a direct DER walk
// (der.ts) for names, times and extensions, Node's native X509Certificate for the key
// and signatures. Anything unreadable is 400 BAD_CERTIFICATE.
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import { StewardError } from '../errors/index.js';
import { bitsToNumber, children, content, expect, hexOf, oid, readTlv, smallInt, text, time, whole, type Tlv } from './der.js';

/** Critical extensions we understand (anything else critical fails, as in OpenSSL). */
const HANDLED = new Set([
  '2.5.29.19', '2.5.29.15', '2.5.29.17', '2.5.29.30', '2.5.29.14', '2.5.29.35',
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

/** Strips leading zero octets so a serial compares equal however it was encoded. */
export const normalSerial = (h: string) => h.toLowerCase().replace(/^(00)+(?=.)/, '');

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

export function commonNamesOf(buf: Uint8Array, name: Tlv): string[] {
  const out: string[] = [];
  for (const rdn of children(buf, expect(name, 0x30, 'Name'))) {
    for (const atv of children(buf, expect(rdn, 0x31, 'RDN'))) {
      const [type, value] = children(buf, expect(atv, 0x30, 'AttributeTypeAndValue'));
      if (oid(buf, type!) === '2.5.4.3') out.push(text(buf, value!));
    }
  }
  return out;
}

function subtrees(buf: Uint8Array, v: Tlv): NameSubtrees {
  const res: NameSubtrees = { permittedDns: [], excludedDns: [], unsupported: false };
  for (const part of children(buf, expect(v, 0x30, 'NameConstraints'))) {
    const into = part.tag === 0xa0 ? res.permittedDns : part.tag === 0xa1 ? res.excludedDns : undefined;
    if (!into) throw new Error('DER: bad NameConstraints');
    for (const st of children(buf, part)) {
      const [base, ...rest] = children(buf, expect(st, 0x30, 'GeneralSubtree'));
      if (rest.some((r) => r.tag !== 0x80 || content(buf, r).some((b) => b !== 0))) res.unsupported = true; // minimum ≠ 0 / maximum
      if (base!.tag === 0x82) into.push(Buffer.from(content(buf, base!)).toString('latin1'));
      else res.unsupported = true;
    }
  }
  return res;
}

function extension(p: ParsedCert, buf: Uint8Array, ext: Tlv): void {
  const parts = children(buf, expect(ext, 0x30, 'Extension'));
  const id = oid(buf, parts[0]!);
  const critical = parts.length === 3 && parts[1]!.tag === 0x01 && buf[parts[1]!.body] !== 0;
  const value = expect(parts[parts.length - 1], 0x04, 'extnValue');
  const v = readTlv(buf, value.body, value.end);
  switch (id) {
    case '2.5.29.19': {
      p.basicCa = false;
      for (const c of children(buf, expect(v, 0x30, 'BasicConstraints'))) {
        if (c.tag === 0x01) p.basicCa = buf[c.body] !== 0;
        else p.pathLen = smallInt(buf, c);
      }
      break;
    }
    case '2.5.29.15':
      p.keyUsage = bitsToNumber(buf, v);
      break;
    case '2.5.29.17':
      for (const gn of children(buf, expect(v, 0x30, 'GeneralNames'))) if (gn.tag === 0x82) p.dnsNames.push(Buffer.from(content(buf, gn)).toString('latin1'));
      break;
    case '2.5.29.30':
      p.nameConstraints = subtrees(buf, v);
      break;
    case '2.5.29.14':
      p.ski = hexOf(content(buf, expect(v, 0x04, 'KeyIdentifier')));
      break;
    case '2.5.29.35':
      for (const c of children(buf, expect(v, 0x30, 'AuthorityKeyIdentifier'))) if (c.tag === 0x80) p.aki = hexOf(content(buf, c));
      break;
    default:
      if (critical && !HANDLED.has(id)) p.unhandledCritical ??= id;
  }
}

/** Parses one certificate (PEM or DER); 400 BAD_CERTIFICATE when it cannot be read. */
export function parseCertificate(input: string | Uint8Array): ParsedCert {
  const der = toDer(input);
  try {
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('DER: not one certificate');
    const tbs = children(der, expect(children(der, outer)[0], 0x30, 'TBSCertificate'));
    let i = 0;
    let version = 1;
    if (tbs[0]!.tag === 0xa0) version = smallInt(der, readTlv(der, tbs[i++]!.body)) + 1;
    const serial = expect(tbs[i++], 0x02, 'serial');
    i++; // signature algorithm (the native verify reads the outer one)
    const issuer = expect(tbs[i++], 0x30, 'issuer');
    const validity = children(der, expect(tbs[i++], 0x30, 'validity'));
    const subject = expect(tbs[i++], 0x30, 'subject');
    i++; // subjectPublicKeyInfo
    const native = new X509Certificate(der);
    const subjectHex = hexOf(whole(der, subject));
    const issuerHex = hexOf(whole(der, issuer));
    const p: ParsedCert = {
      der,
      fingerprint: 'sha256:' + createHash('sha256').update(der).digest('hex'),
      native,
      publicKey: native.publicKey,
      serialHex: normalSerial(hexOf(content(der, serial))),
      subject: subjectHex,
      issuer: issuerHex,
      selfIssued: subjectHex === issuerHex,
      notBefore: time(der, validity[0]!),
      notAfter: time(der, validity[1]!),
      dnsNames: [],
      commonNames: commonNamesOf(der, subject),
      version,
    };
    for (; i < tbs.length; i++) {
      if (tbs[i]!.tag !== 0xa3) continue; // [1] / [2] unique identifiers
      for (const ext of children(der, expect(readTlv(der, tbs[i]!.body, tbs[i]!.end), 0x30, 'Extensions'))) extension(p, der, ext);
    }
    return p;
  } catch (err) {
    if (err instanceof StewardError) throw err;
    throw new StewardError('BAD_CERTIFICATE', 'certificate cannot be parsed');
  }
}

// The reference for src/pki/parse.ts's hand-written DER walk: the same fields read with
// the @peculiar/asn1-x509 schema (what parse.ts used before; ~10× slower).
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier, BasicConstraints, Certificate, KeyUsage, Name, NameConstraints, SubjectAlternativeName, SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier, id_ce_basicConstraints, id_ce_keyUsage, id_ce_nameConstraints, id_ce_subjectAltName, id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { StewardError } from '../../src/errors/index.js';
import { normalSerial, toDer, type NameSubtrees, type ParsedCert } from '../../src/pki/parse.js';

/** Critical extensions we understand (anything else critical fails, as in OpenSSL). */
const HANDLED = new Set([
  id_ce_basicConstraints, id_ce_keyUsage, id_ce_subjectAltName, id_ce_nameConstraints, id_ce_subjectKeyIdentifier, id_ce_authorityKeyIdentifier,
  '2.5.29.37', // extKeyUsage
  '2.5.29.32', '2.5.29.33', '2.5.29.36', '2.5.29.54', // policies: we issue none, accept their presence like OpenSSL
]);

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

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

export function referenceParse(input: string | Uint8Array): ParsedCert {
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

// Issuing registry certificates (SPEC §5). One builder, `buildCertificate`, writes every
// field explicitly; `issueRegistryCertificate` and `createRootCa` fill it in the way the
// contract says. Tests use the builder directly to make the certificates a hostile child
// would (names outside its zone, no CA flag, odd validity) and check that they are refused.
import { randomBytes, webcrypto } from 'node:crypto';
import { x509 } from './x509-lib.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { StewardError } from '../errors/index.js';
import { keyAlgOf, signingAlgorithm, toCryptoKeys, type RegistryKeyPair } from './keys.js';
import type { KeyObject } from 'node:crypto';

export const DEFAULT_LIFETIME_MS = 365 * 24 * 3600 * 1000;

export interface CertificateSpec {
  subjectCn: string;
  /** SAN dNSNames; empty = no SAN extension. */
  dnsNames: string[];
  /** Permitted dNSName subtrees; undefined = no nameConstraints extension. */
  permitted?: string[];
  ca: boolean;
  pathLength?: number;
  /** Default keyCertSign|cRLSign|digitalSignature for a CA, digitalSignature otherwise. */
  keyUsage?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Hex serial; default 128 random bits, positive. */
  serial?: string;
  subjectPublicKey: KeyObject;
}

export interface Issuer {
  /** PEM or DER of the issuer certificate (absent for a self-signed certificate). */
  certificate?: string | Uint8Array;
  keys: RegistryKeyPair;
}

/** PEM of one certificate. */
export interface IssuedCertificate {
  pem: string;
  der: Uint8Array;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

/** 128 random bits with the top bit clear and the next set: positive, always 16 octets. */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString('hex');
}

export function nameConstraintsExtension(permitted: string[]): x509.Extension {
  const nc = new NameConstraints({
    permittedSubtrees: new GeneralSubtrees(permitted.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) }))),
  });
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(nc));
}

const CA_USAGE = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature;

async function publicCryptoKey(key: KeyObject, alg: RegistryKeyPair['alg']): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('spki', key.export({ type: 'spki', format: 'der' }), signingAlgorithm(alg), true, ['verify']) as Promise<CryptoKey>;
}

export async function buildCertificate(spec: CertificateSpec, issuer: Issuer): Promise<IssuedCertificate> {
  const subjectAlg = keyAlgOf(spec.subjectPublicKey);
  const signer = await toCryptoKeys(issuer.keys);
  const subjectKey = await publicCryptoKey(spec.subjectPublicKey, subjectAlg);
  const issuerCert = issuer.certificate ? new x509.X509Certificate(issuer.certificate as string) : undefined;
  const notBefore = spec.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter = spec.notAfter ?? new Date(notBefore.getTime() + DEFAULT_LIFETIME_MS);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(spec.ca, spec.pathLength, true),
    new x509.KeyUsagesExtension(spec.keyUsage ?? (spec.ca ? CA_USAGE : x509.KeyUsageFlags.digitalSignature), true),
    await x509.SubjectKeyIdentifierExtension.create(subjectKey),
  ];
  if (spec.dnsNames.length) extensions.push(new x509.SubjectAlternativeNameExtension(spec.dnsNames.map((value) => ({ type: 'dns' as const, value }))));
  if (spec.permitted) extensions.push(nameConstraintsExtension(spec.permitted));
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert ? issuerCert : signer.publicKey));
  const subject = [{ CN: [spec.subjectCn] }];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: spec.serial ?? randomSerial(),
    subject,
    issuer: issuerCert ? issuerCert.subjectName : subject,
    notBefore,
    notAfter,
    publicKey: subjectKey,
    signingKey: signer.privateKey,
    signingAlgorithm: signingAlgorithm(issuer.keys.alg),
    extensions,
  });
  return { pem: cert.toString('pem') + '\n', der: new Uint8Array(cert.rawData), serial: cert.serialNumber, notBefore: cert.notBefore, notAfter: cert.notAfter };
}

export interface IssueOptions {
  notBefore?: Date;
  /** Lifetime in ms; one year by default (short ones are for renewal tests). */
  lifetimeMs?: number;
}

/**
 * A registry certificate for `zone` exactly as SPEC §5 says: CN = SAN dNSName = zone,
 * CA:true critical, keyUsage keyCertSign|cRLSign|digitalSignature critical, critical
 * nameConstraints permitting only dNSName = zone, random 128-bit serial, AKI/SKI.
 */
export async function issueRegistryCertificate(
  zone: string,
  subjectPublicKey: KeyObject,
  issuer: Issuer & { certificate: string | Uint8Array },
  opts: IssueOptions = {},
): Promise<IssuedCertificate> {
  const z = canonicalZone(zone);
  const lifetime = opts.lifetimeMs ?? DEFAULT_LIFETIME_MS;
  // Backdated for clock skew, by a minute — or a sixth of a short lifetime, which a
  // minute would use up before the certificate is even delivered.
  const backdate = Math.min(60_000, Math.floor(lifetime / 6000) * 1000);
  const notBefore = opts.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - backdate);
  return buildCertificate(
    { subjectCn: z, dnsNames: [z], permitted: [z], ca: true, notBefore, notAfter: new Date(notBefore.getTime() + lifetime), subjectPublicKey },
    issuer,
  );
}

/** The federation's self-signed trust anchor for `rootDomain`, with the same constraint. */
export async function createRootCa(rootDomain: string, keys: RegistryKeyPair, opts: IssueOptions = {}): Promise<IssuedCertificate> {
  const z = canonicalZone(rootDomain);
  const notBefore = opts.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const lifetime = opts.lifetimeMs ?? 10 * DEFAULT_LIFETIME_MS;
  return buildCertificate(
    { subjectCn: z, dnsNames: [z], permitted: [z], ca: true, notBefore, notAfter: new Date(notBefore.getTime() + lifetime), subjectPublicKey: keys.publicKey },
    { keys },
  );
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lowercase, no trailing dot, LDH labels: the only form a zone takes in a certificate. */
export function canonicalZone(zone: string): string {
  const z = zone.toLowerCase().replace(/\.$/, '');
  if (z.length > 253 || !z.split('.').every((l) => LABEL.test(l))) throw new StewardError('BAD_NAME', `not a valid zone name: ${JSON.stringify(zone)}`);
  return z;
}

/** SPEC §5 renewal: due once two-thirds of the certificate's lifetime has passed. */
export function renewalDue(cert: { notBefore: number | Date; notAfter: number | Date }, at = Date.now()): boolean {
  const from = +cert.notBefore;
  return at >= from + ((+cert.notAfter - from) * 2) / 3;
}

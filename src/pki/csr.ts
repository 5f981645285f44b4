// PKCS#10 certificate signing requests for a zone. The CSR is the registering registry's
// proof of possession: its signature must verify with the public key it carries. The
// parent takes only the key and the requested name from it; every other field of the
// certificate it issues is its own (SPEC §5).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { StewardError } from '../errors/index.js';
import { canonicalZone } from './issue.js';
import { keyAlgOf, signingAlgorithm, toCryptoKeys, type KeyAlg, type RegistryKeyPair } from './keys.js';
import { x509 } from './x509-lib.js';

/** A CSR for `zone`: CN = zone, SAN dNSName = zone, signed with the key it names. */
export async function createCsr(zone: string, keys: RegistryKeyPair): Promise<string> {
  const z = canonicalZone(zone);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [z] }],
    keys: await toCryptoKeys(keys),
    signingAlgorithm: signingAlgorithm(keys.alg),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: z }])],
  });
  return csr.toString('pem') + '\n';
}

export interface ParsedCsr {
  /** The requested zone, canonical (lowercase, no trailing dot). */
  zone: string;
  publicKey: KeyObject;
  alg: KeyAlg;
}

const MAX_CSR_BYTES = 16 * 1024;

/**
 * Parses and checks a PEM CSR: well-formed, signature verifies with its own key (proof of
 * possession), key is RSA ≥ 2048 or P-256, CN names one zone and any SAN dNSNames name
 * the same one. Anything else is 400 BAD_CSR.
 */
export async function parseCsr(pem: string): Promise<ParsedCsr> {
  if (typeof pem !== 'string' || pem.length > MAX_CSR_BYTES) throw new StewardError('BAD_CSR', 'CSR must be a PEM string of at most 16 KiB');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    if (!/^-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem.trim())) throw new Error('not PEM');
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw new StewardError('BAD_CSR', 'not a PEM PKCS#10 certificate request');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    throw new StewardError('BAD_CSR', 'CSR public key cannot be read');
  }
  let alg: KeyAlg;
  try {
    alg = keyAlgOf(publicKey);
  } catch {
    throw new StewardError('BAD_CSR', 'CSR key must be RSA (≥ 2048 bits) or EC P-256');
  }
  let ok = false;
  try {
    ok = await csr.verify();
  } catch {
    ok = false;
  }
  if (!ok) throw new StewardError('BAD_CSR', 'CSR signature does not verify with its public key (no proof of possession)');
  const cns = csr.subjectName.getField('CN');
  if (cns.length !== 1) throw new StewardError('BAD_CSR', 'CSR subject must have exactly one CN (the zone)');
  let zone: string;
  try {
    zone = canonicalZone(cns[0]!);
  } catch {
    throw new StewardError('BAD_CSR', `CSR CN is not a zone name: ${JSON.stringify(cns[0])}`);
  }
  const san = csr.getExtension('2.5.29.17');
  if (san) {
    const names = new x509.SubjectAlternativeNameExtension(san.rawData).names.items;
    if (names.some((n) => n.type !== 'dns' || n.value.toLowerCase().replace(/\.$/, '') !== zone)) {
      throw new StewardError('BAD_CSR', 'CSR subjectAltName must name only the zone in its CN');
    }
  }
  return { zone, publicKey, alg };
}

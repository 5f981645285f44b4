// A federation PKI for the identity benchmarks: root → com → acme-labs.com, and a leaf
// registry certificate under acme-labs.com, with the key types the caller asks for.
import { createRootCa, issueRegistryCertificate, type IssuedCertificate } from '../../src/pki/issue.js';
import { generateKeys, type KeyAlg, type RegistryKeyPair } from '../../src/pki/keys.js';

export interface BenchPki {
  root: IssuedCertificate;
  issuer: { cert: IssuedCertificate; keys: RegistryKeyPair };
  leaf: { cert: IssuedCertificate; keys: RegistryKeyPair };
  /** Steward-Certificate-Chain order: leaf, issuers, root. */
  chain: Uint8Array[];
}

export async function benchPki(issuerAlg: KeyAlg, leafAlg: KeyAlg): Promise<BenchPki> {
  const [rootKeys, comKeys, acmeKeys, leafKeys] = await Promise.all([generateKeys(issuerAlg), generateKeys(issuerAlg), generateKeys(issuerAlg), generateKeys(leafAlg)]);
  const root = await createRootCa('steward-registry.org', rootKeys);
  const com = await issueRegistryCertificate('com.steward-registry.org', comKeys.publicKey, { certificate: root.pem, keys: rootKeys });
  const acme = await issueRegistryCertificate('acme-labs.com.steward-registry.org', acmeKeys.publicKey, { certificate: com.pem, keys: comKeys });
  const leaf = await issueRegistryCertificate('team.acme-labs.com.steward-registry.org', leafKeys.publicKey, { certificate: acme.pem, keys: acmeKeys });
  return { root, issuer: { cert: acme, keys: acmeKeys }, leaf: { cert: leaf, keys: leafKeys }, chain: [leaf.der, acme.der, com.der, root.der] };
}

/** Runs `fn` for about `ms` milliseconds (after a short warm-up); returns calls per second. */
export function perSecond(fn: () => unknown, ms = 2000): number {
  for (let i = 0; i < 50; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    now = performance.now();
  }
  return Math.round((n * 1000) / (now - start));
}

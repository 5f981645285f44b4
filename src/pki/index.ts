// Registry identity: keys, CSRs, issuing, chain verification, CRLs (SPEC §5). See README.md.
export { generateKeys, keysFromPem, publicKeyFromPem, privateKeyToPem, publicKeyToPem, writePrivateKeyFile, fingerprint, keyAlgOf, type KeyAlg, type RegistryKeyPair } from './keys.js';
export { createCsr, parseCsr, type ParsedCsr } from './csr.js';
export { issueRegistryCertificate, createRootCa, buildCertificate, canonicalZone, randomSerial, renewalDue, DEFAULT_LIFETIME_MS, type CertificateSpec, type IssuedCertificate, type IssueOptions, type Issuer } from './issue.js';
export { issueCrl, parseCrl, checkCrl, type CrlOptions, type ParsedCrl, type Revocation, type RevocationReason } from './crl.js';
export { parseCertificate, toDer, derToPem, pemBundleToDers, type ParsedCert } from './parse.js';
export { verifyChain, chainError, type ChainVerdict, type ChainOk, type ChainRefused, type ChainFailure, type VerifyOptions, type CertInput } from './verify.js';
export { ChainVerifier, type ChainVerifierOptions } from './chain-cache.js';
export { ensureDemoPki, ensureRootCa, ROOT_CA_NAME, type ZoneMaterial, type DemoPkiOptions } from './demo.js';
export { materialPaths, writeAtomic, writePrivateKeyAtomic, readKeys, once } from './files.js';

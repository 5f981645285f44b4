// RFC 9421 signed requests between registries (SPEC §5): signer, verifier, nonce stores.
export { ALGS, algsForKey, defaultAlg, type SigAlg } from './algs.js';
export { componentValue, signatureBase, type MessageView } from './base.js';
export { checkContentDigest, contentDigest } from './digest.js';
export { createNonceStore, MemoryNonceStore, RedisNonceStore, type NonceStore } from './nonce/index.js';
export { HEADERS, keyIdOf, LIMITS } from './profile.js';
export { createSigner, signRequest, type RequestToSign, type SignedHeaders, type Signer, type SignerIdentity } from './signer.js';
export {
  createVerifier,
  type ChainCheck,
  type ChainVerdict,
  type SignedRequestView,
  type VerifiedSender,
  type Verifier,
  type VerifierOptions,
} from './verifier.js';

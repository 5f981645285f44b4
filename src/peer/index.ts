// Registry-to-registry calls: one client (client.ts) and the rules for where it may go (address.ts).
export { PeerClient, isTimeout, parseJson, type CallOptions, type OutboundRequest, type PeerClientOptions, type PeerResponse, type RequestSigner, type TlsOptions } from './client.js';
export { isPrivateAddress, isPrivateHost, peerOrigin, type OriginPolicy } from './address.js';

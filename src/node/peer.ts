// The node's outbound clients (src/peer), wired once: `peer` for what anyone may ask
// (resolver rd=0 questions, discover, /v1/zone, /v1/crl) and, with a registry identity,
// `signed` for what SPEC §5 marks signed (push, sync pulls): every request through it
// carries an RFC 9421 signature by the node's current certificate (the signer is read
// at each call, so a renewed certificate signs from then on). Both present the
// registry certificate as TLS client certificate when a peer asks for one (mutual TLS)
// and trust the federation root besides the system CAs.
import { createSecureContext } from 'node:tls';
import { DEFAULTS } from '../config/index.js';
import { SYNC_PAGE_BYTES } from '../http/sync-page.js';
import type { NodeIdentity } from '../identity/node-identity.js';
import { PeerClient, type TlsOptions } from '../peer/index.js';
import { privateKeyToPem } from '../pki/index.js';
import type { ZoneConfig } from '../zonefile/index.js';

export interface NodePeers {
  peer: PeerClient;
  /** Present when the node has a registry identity. */
  signed?: PeerClient;
  close(): Promise<void>;
}

/**
 * TLS client material of a registry: its certificate (with issuers, so a server can build
 * the path) and key; servers are checked against the system CAs plus the federation root.
 * One secure context, made here: passing `ca: [...rootCertificates, root]` instead would
 * make node:tls parse ~140 certificates on every new connection (hundreds of ms).
 */
export function clientTls(identity: NodeIdentity): TlsOptions {
  const secureContext = createSecureContext({
    cert: [identity.certificatePem, ...identity.chainPems.slice(0, -1)].join(''),
    key: privateKeyToPem(identity.keys),
  });
  // (no `ca` given, the context starts from Node's root store; this adds ours to its own copy)
  (secureContext.context as { addCACert(pem: string): void }).addCACert(identity.rootPem);
  return { secureContext };
}

export function nodePeers(config: ZoneConfig, identity?: NodeIdentity): NodePeers {
  // Endpoints learnt from other registries are held to `policy.upstreams.allow_private`;
  // the parent's and the zone's replicas', which the operator wrote into the zone file, are trusted.
  const trustedHosts = [...(config.parent?.endpoints ?? []), ...config.replicas].flatMap((e) => {
    try {
      return [new URL(e.url).hostname];
    } catch {
      return [];
    }
  });
  const base = {
    timeoutMs: DEFAULTS.upstream.timeoutMs,
    maxBodyBytes: DEFAULTS.peer.maxBodyBytes,
    allowPrivate: config.policy.upstreams.allowPrivate,
    trustedHosts,
    tls: identity ? clientTls(identity) : undefined,
  };
  const peer = new PeerClient(base);
  const signed = identity
    ? new PeerClient({
        ...base,
        timeoutMs: DEFAULTS.peer.timeoutMs,
        // a sync page is at most SYNC_PAGE_BYTES, or one entry (≤ a 64 KiB publish) over it
        maxBodyBytes: SYNC_PAGE_BYTES + 2 * DEFAULTS.maxBodyBytes,
        sign: ({ method, url, body }) => ({ ...identity.signer.sign({ method, url, body }) }),
      })
    : undefined;
  return {
    peer,
    signed,
    async close() {
      await Promise.all([peer.close(), signed?.close()]);
    },
  };
}

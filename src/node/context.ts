// What the HTTP routes are given: the parts of one running node, wired by the composition root.
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/index.js';
import type { ZoneConfig } from '../zonefile/index.js';
import type { ZoneStore } from '../store/zone-store.js';
import type { SubtreeIndex } from '../federation/subtree/index.js';
import type { Resolver } from '../resolver/index.js';
import type { ZoneView } from '../resolver/types.js';
import type { Publisher } from './publisher.js';
import type { Quota } from '../quota/index.js';
import type { Delegations } from '../topology/delegations.js';
import type { NodeIdentity } from '../identity/node-identity.js';
import type { Registrar } from '../identity/registrar.js';
import type { RegisterTokens } from '../identity/tokens.js';
import type { Audience } from '../records/visibility.js';
import type { CrlRefresh } from '../identity/crl-refresh.js';
import type { PeerClient } from '../peer/index.js';
import type { RedisStatus } from '../redis/status.js';
import type { AuditLog } from '../audit/index.js';
import type { FederationHealth } from '../health/index.js';
import type { Delivery } from './delivery.js';
import type { Replicas } from '../federation/replicas/index.js';
import type { DiscoverAnswer, DiscoverScope, DiscoverSort } from '../discover/types.js';
import type { DiscoverOptions } from '../discover/escalate.js';

/** `audience`: who asks (src/records/visibility.ts); it decides what the local part may show. */
export type Discover = (q: string, scope: DiscoverScope, sort: DiscoverSort, limit: number, audience: Audience, opts?: DiscoverOptions) => Promise<DiscoverAnswer>;


export interface NodeContext {
  config: ZoneConfig;
  store: ZoneStore;
  /** The references of the zone's subtree, pushed or pulled up (SPEC §6); empty at a leaf. */
  subtree: SubtreeIndex;
  /** The zone's child zones: zone file seeds plus registrations, minus revocations. */
  delegations: Delegations;
  /** The zone as the authoritative stage sees it (for clients: internal records included). */
  view: ZoneView;
  /** The same zone as seen from outside it (other registries, outside clients): internal records hidden. */
  publicView: ZoneView;
  publisher: Publisher;
  /** Rate limits and quotas (zone policy `limits`). */
  quota: Quota;
  resolver: Resolver;
  discover: Discover;
  metrics: Metrics;
  /** The registry's key, certificate chain, signer and verifier; absent = no signed exchanges. */
  identity?: NodeIdentity;
  registrar?: Registrar;
  tokens?: RegisterTokens;
  /** The outbound client whose every request is signed (push, sync pulls); with an identity only. */
  signedPeer?: PeerClient;
  /** Identity background services (ancestor CRL refresh); with an identity only. */
  identityServices?: { crls: CrlRefresh };
  /** Federation events (registrations, pushes, pulls, conflicts, refusals): GET /v1/audit. */
  audit: AuditLog;
  /** What this node knows of its parent, children and replicas: metrics and alerts read it. */
  health: FederationHealth;
  /** The push outbox to the parent and the pull loop over children (node/delivery.ts). */
  delivery?: Delivery;
  /** This zone's replicas: its replica id, the digest they compare, anti-entropy (src/federation/replicas). */
  replicas: Replicas;
  startedAt: number;
  log: Logger;
  /** Whether the node's Redis (REDIS_URL) is answering; absent = no Redis configured. */
  redis?: RedisStatus;
}

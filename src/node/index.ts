// The composition root: one zone's store, publisher, resolver, discoverer and HTTP app,
// wired together. Nothing else constructs these.
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createDiscoverer } from '../discover/escalate.js';
import { discoverLocal } from '../discover/local.js';
import { createApp } from '../http/app.js';
import { fastDiscover } from '../http/fast-discover.js';
import { fastResolve, firstOf, type FastPath } from '../http/fast-resolve.js';
import { accessLog } from '../http/access-log.js';
import { closeServer, listen, type ListenerHooks, type ListenerLimits } from '../http/listener.js';
import { createMetrics } from '../metrics/index.js';
import { AuditLog } from '../audit/index.js';
import { FederationHealth } from '../health/index.js';
import { HealthProbe } from '../health/probe.js';
import { namedPeers, summarize } from '../health/summary.js';
import { createNodeResolver } from '../resolver/index.js';
import { outsideView } from '../resolver/authoritative.js';
import type { ZoneView } from '../resolver/types.js';
import { Quota } from '../quota/index.js';
import { RedisStatus } from '../redis/status.js';
import type { OpenFile } from '../store/append-log.js';
import { ZoneStore } from '../store/zone-store.js';
import { SubtreeIndex } from '../federation/subtree/index.js';
import { Delegations } from '../topology/delegations.js';
import type { IdentityMaterial } from '../identity/node-identity.js';
import { identityServices, listenerTls, openIdentity } from './identity.js';
import { nodeRenewal } from '../identity/renewal.js';
import { nodePeers } from './peer.js';
import type { ZoneConfig } from '../zonefile/index.js';
import type { NodeContext } from './context.js';
import { Publisher } from './publisher.js';
import { publishSeedAgents } from './seed.js';
import { openDelivery, type DeliveryOptions } from './delivery.js';
import { Replicas } from '../federation/replicas/index.js';

export interface NodeOptions {
  config: ZoneConfig;
  /** Where the zone's log and snapshots live; absent = memory only. */
  dataDir?: string;
  redisUrl?: string;
  fsync?: boolean;
  log?: Logger;
  /** Where one JSON line per request goes, at info (src/http/access-log.ts); absent = none. */
  requestLog?: Logger;
  /** Listener deadlines and connection caps (defaults: DEFAULTS.http). */
  http?: Partial<ListenerLimits>;
  /** The registry's key and certificates (SPEC §5); absent = no signed exchanges. */
  identity?: IdentityMaterial;
  /** Origins other registries address this node by (signed requests must target one). */
  origins?: string[];
  /** A registered identity's directory (<data-dir>/identity): its certificate is renewed and kept there. */
  identityDir?: string;
  /** How often renewal checks the certificate (default DEFAULTS.identity.renewCheckMs). */
  renewCheckMs?: number;
  /** Publish the zone file's seed agents at start (default true). */
  seed?: boolean;
  /** Open the store even though acknowledged data is missing (`--accept-data-loss`; each loss is logged). */
  acceptDataLoss?: boolean;
  /** Tests: how the store opens files for writing (to inject a failing disk), and how often it probes one. */
  storeOpenFile?: OpenFile;
  storeProbeMs?: number;
  /** How often ancestors' CRLs are fetched again (default DEFAULTS.identity.crlRefreshMs). */
  crlRefreshMs?: number;
  /** Push outbox and pull loop settings (node/delivery.ts). */
  delivery?: DeliveryOptions;
  /** Anti-entropy round interval in ms (default: the zone file's anti_entropy_seconds). */
  antiEntropyMs?: number;
  /** Tests: the wall clock this replica stamps its publishes with (a skewed replica). */
  now?: () => Date;
  /** How often peers no exchange reported on get a health probe (default DEFAULTS.health.probeMs; 0 = never). */
  healthProbeMs?: number;
}

export interface NodeHandle {
  ctx: NodeContext;
  app: ReturnType<typeof createApp>;
  /** Raw node:http handler for the hot GET /v1/resolve; everything else goes to `app`. */
  fast: FastPath;
  /** What the listener does around every request: the request log (NodeOptions.requestLog), the zone's delay_ms. */
  hooks: ListenerHooks;
  close(): Promise<void>;
}

export interface RunningNode extends NodeHandle {
  url: string;
  port: number;
  server: Server;
}

function views(config: ZoneConfig, store: ZoneStore, delegations: Delegations): { view: ZoneView; publicView: ZoneView } {
  const base = {
    zone: config.zone,
    rootDomain: config.rootDomain,
    parent: config.parent,
    ttl: config.policy.ttl,
    getDelegation: (childZone: string) => delegations.get(childZone),
  };
  const view: ZoneView = { ...base, getAgent: (label) => store.get(label) };
  return { view, publicView: outsideView(view) };
}

export async function createNode(opts: NodeOptions): Promise<NodeHandle> {
  const { config } = opts;
  const log = opts.log ?? pino({ level: 'silent' });
  const metrics = createMetrics();
  const store = await ZoneStore.open({
    zone: config.zone,
    dir: opts.dataDir ? join(opts.dataDir, 'store') : undefined,
    fsync: opts.fsync ?? true,
    acceptDataLoss: opts.acceptDataLoss,
    log: log.child({ zone: config.zone }),
    openFile: opts.storeOpenFile,
    probeMs: opts.storeProbeMs,
  });
  const subtree = await SubtreeIndex.open({
    zone: config.zone,
    dir: opts.dataDir ? join(opts.dataDir, 'subtree') : undefined,
    fsync: opts.fsync ?? true,
    acceptDataLoss: opts.acceptDataLoss,
    log: log.child({ zone: config.zone, store: 'subtree' }),
  });
  const delegations = await Delegations.open({
    zone: config.zone,
    seed: config.delegations,
    dir: opts.dataDir ? join(opts.dataDir, 'delegations') : undefined,
    fsync: opts.fsync ?? true,
  });
  const audit = await AuditLog.open({ dir: opts.dataDir ? join(opts.dataDir, 'audit') : undefined, fsync: opts.fsync ?? true, log });
  const health = new FederationHealth();
  const replicaId = `${config.region}:${config.zone}`;
  const redis = opts.redisUrl ? new RedisStatus(opts.redisUrl, log, config.zone) : undefined;
  const quota = new Quota({ zone: config.zone, limits: config.policy.limits, store, redisUrl: opts.redisUrl, log, onRedisState: () => redis?.watch('quota') });
  const publisher = new Publisher(config, store, metrics, replicaId, delegations, quota, opts.now);
  const { view, publicView } = views(config, store, delegations);
  const id = opts.identity
    ? await openIdentity({ config, material: opts.identity, store, delegations, publisher, dataDir: opts.dataDir, fsync: opts.fsync, redisUrl: opts.redisUrl, onRedisState: redis?.watch('nonces'), origins: opts.origins })
    : undefined;
  const peers = nodePeers(config, id?.identity);
  const peer = peers.peer;
  const services = id && identityServices(id, { config, peer, crlRefreshMs: opts.crlRefreshMs, log });
  const resolver = createNodeResolver({
    view,
    metrics,
    peer,
    redisUrl: opts.redisUrl,
    redis: redis && { onStateChange: redis.watch('cache') },
    onBackgroundError: (err, name) => log.warn({ err, name }, 'background refresh failed'),
  });
  const discover = createDiscoverer({ config, peer, local: (q, sort, limit, audience) => discoverLocal([store, subtree], { q, sort, limit, audience }) });
  const replicas = new Replicas({ config, store, writer: publisher.writer, signed: peers.signed, audit, health, log, intervalMs: opts.antiEntropyMs, selfUrls: opts.origins?.slice(0, 1) });
  const renewal = id && opts.identityDir ? nodeRenewal(config, id.identity, { dir: opts.identityDir, checkMs: opts.renewCheckMs, origins: opts.origins, log }) : undefined;
  const startedAt = Date.now();
  metrics.bind({ startedAt, agents: () => store.size, summary: () => summarize({ config, delegations, health, startedAt }) });
  metrics.setSubtreeSize(() => subtree.size);
  const probe = new HealthProbe({ health, client: peer, peers: () => namedPeers(config, delegations), intervalMs: opts.healthProbeMs, onError: (err) => log.warn({ err }, 'health probe failed') });
  const delivery = await openDelivery({ config, store, subtree, delegations, signed: peers.signed, audit, health, log, dataDir: opts.dataDir, fsync: opts.fsync, selfUrls: opts.origins?.slice(0, 1) }, opts.delivery);
  const ctx: NodeContext = {
    config, store, subtree, delegations, view, publicView, publisher, quota, resolver, discover, metrics, audit, health, replicas, startedAt, log, redis,
    identity: id?.identity, registrar: id?.registrar, tokens: id?.tokens, signedPeer: peers.signed, identityServices: services, delivery,
  };
  // A store that lost data is not a fresh one: seeding it would bring back names (and free
  // unpublished ones) the lost changes had settled.
  if (store.dataLoss.length) log.warn({ zone: config.zone, lost: store.dataLoss.length }, 'store opened with accepted data loss: seed agents not published');
  else if (opts.seed !== false) {
    await publishSeedAgents(config, store, publisher, opts.dataDir, log).catch(async (err) => {
      await quota.close(); // (its Redis connection would keep the process alive)
      throw err;
    });
  }
  const app = createApp(ctx);
  services?.start();
  delivery.start();
  replicas.start();
  probe.start();
  const access = accessLog(opts.requestLog);
  return {
    ctx,
    app,
    fast: firstOf(fastResolve(ctx), fastDiscover(ctx)),
    hooks: { access, delayMs: opts.config.delayMs },
    async close() {
      access?.close(); // (the listener has closed: its last lines)
      await probe.close();
      await delivery.close();
      await replicas.close();
      await renewal?.close();
      await services?.close();
      await resolver.close();
      await quota.close();
      await id?.close();
      await peers.close();
      await store.close();
      await subtree.close();
      await delegations.close();
      await audit.close();
    },
  };
}

/** Creates the node and listens (port 0 = any free port; the real one is in `url`). */
export async function startNode(opts: NodeOptions & { port?: number; host?: string }): Promise<RunningNode> {
  const l = await listen(opts.host ?? opts.config.listen.host, opts.port ?? opts.config.listen.port, opts.http, listenerTls(opts.config, opts.identity));
  let node: NodeHandle;
  try {
    node = await createNode({ ...opts, origins: opts.origins ?? [l.url, ...opts.config.replicas.map((r) => r.url)] });
  } catch (err) {
    await closeServer(l.server);
    throw err;
  }
  l.attach(node.app.fetch, node.fast, node.hooks);
  return attachServer(node, l);
}

export function attachServer(node: NodeHandle, l: { server: Server; url: string; port: number }): RunningNode {
  return {
    ...node,
    server: l.server,
    port: l.port,
    url: l.url,
    async close() {
      await closeServer(l.server);
      await node.close();
    },
  };
}

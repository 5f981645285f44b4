// The composition root: one zone's store, publisher, resolver, discoverer and HTTP app,
// wired together. Nothing else constructs these.
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { createDiscoverer } from '../discover/escalate.js';
import { discoverLocal } from '../discover/local.js';
import { createApp } from '../http/app.js';
import { fastResolve, type FastPath } from '../http/fast-resolve.js';
import { closeServer, listen } from '../http/listener.js';
import { createMetrics } from '../metrics/index.js';
import { createNodeResolver } from '../resolver/index.js';
import type { ZoneView } from '../resolver/types.js';
import type { OpenFile } from '../store/append-log.js';
import { ZoneStore } from '../store/zone-store.js';
import type { ZoneConfig } from '../zonefile/index.js';
import type { NodeContext } from './context.js';
import { Publisher } from './publisher.js';
import { publishSeedAgents } from './seed.js';

export interface NodeOptions {
  config: ZoneConfig;
  /** Where the zone's log and snapshots live; absent = memory only. */
  dataDir?: string;
  redisUrl?: string;
  fsync?: boolean;
  log?: Logger;
  /** Publish the zone file's seed agents at start (default true). */
  seed?: boolean;
  /** Open the store even though acknowledged data is missing (`--accept-data-loss`; each loss is logged). */
  acceptDataLoss?: boolean;
  /** Tests: how the store opens files for writing (to inject a failing disk), and how often it probes one. */
  storeOpenFile?: OpenFile;
  storeProbeMs?: number;
}

export interface NodeHandle {
  ctx: NodeContext;
  app: ReturnType<typeof createApp>;
  /** Raw node:http handler for the hot GET /v1/resolve; everything else goes to `app`. */
  fast: FastPath;
  close(): Promise<void>;
}

export interface RunningNode extends NodeHandle {
  url: string;
  port: number;
  server: Server;
}

function views(config: ZoneConfig, store: ZoneStore): { view: ZoneView; publicView: ZoneView } {
  const delegations = new Map(config.delegations.map((d) => [d.zone, d]));
  const base = {
    zone: config.zone,
    rootDomain: config.rootDomain,
    parent: config.parent,
    ttl: config.policy.ttl,
    getDelegation: (childZone: string) => delegations.get(childZone),
  };
  return {
    view: { ...base, getAgent: (label) => store.get(label) },
    publicView: {
      ...base,
      getAgent: (label) => {
        const r = store.get(label);
        return r && r.visibility !== 'internal' ? r : undefined;
      },
    },
  };
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
  const replicaId = `${config.region}:${config.zone}`;
  const publisher = new Publisher(config, store, metrics, replicaId);
  const { view, publicView } = views(config, store);
  const resolver = createNodeResolver({
    view,
    metrics,
    redisUrl: opts.redisUrl,
    onBackgroundError: (err, name) => log.warn({ err, name }, 'background refresh failed'),
  });
  const discover = createDiscoverer({ config, local: (q, sort, limit) => discoverLocal(store, { q, sort, limit }) });
  const ctx: NodeContext = { config, store, view, publicView, publisher, resolver, discover, metrics, startedAt: Date.now(), log };
  // A store that lost data is not a fresh one: seeding it would bring back names (and free
  // unpublished ones) the lost changes had settled.
  if (store.dataLoss.length) log.warn({ zone: config.zone, lost: store.dataLoss.length }, 'store opened with accepted data loss: seed agents not published');
  else if (opts.seed !== false) await publishSeedAgents(config, store, publisher, opts.dataDir, log);
  const app = createApp(ctx);
  return {
    ctx,
    app,
    fast: fastResolve(ctx),
    async close() {
      await resolver.close();
      await store.close();
    },
  };
}

/** Creates the node and listens (port 0 = any free port; the real one is in `url`). */
export async function startNode(opts: NodeOptions & { port?: number; host?: string }): Promise<RunningNode> {
  const l = await listen(opts.host ?? opts.config.listen.host, opts.port ?? opts.config.listen.port);
  let node: NodeHandle;
  try {
    node = await createNode(opts);
  } catch (err) {
    await closeServer(l.server);
    throw err;
  }
  l.attach(node.app.fetch, node.fast);
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

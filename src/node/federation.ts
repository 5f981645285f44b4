// `federation up`: every zone file a node, on loopback. With ephemeral ports (tests), all
// servers listen first on port 0, then every URL in the zone files is rewritten to the
// real address before the nodes are wired, so parents and children find each other.
// Zones whose file says `"join": "register"` start after the others, parents first, and
// join their parent by registering with it (demo-join.ts).
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ZoneConfig } from '../zonefile/index.js';
import { closeServer, listen } from '../http/listener.js';
import { demoMaterial } from '../identity/material.js';
import { joinOrder, joinParent } from './demo-join.js';
import { attachServer, createNode, type RunningNode } from './index.js';
import type { DeliveryOptions } from './delivery.js';

export interface FederationOptions {
  dataDir?: string;
  ephemeralPorts?: boolean;
  redisUrl?: string;
  fsync?: boolean;
  log?: Logger;
  /** Request lines of every node (see NodeOptions.requestLog). */
  requestLog?: Logger;
  /** The demo's certificate material (made on first start); absent = nodes without identity. */
  certsDir?: string;
  /** Push outbox and pull loop settings for every node (tests: short intervals). */
  delivery?: DeliveryOptions;
}

export interface Federation {
  nodes: RunningNode[];
  byZone(zone: string): RunningNode;
  close(): Promise<void>;
}

const listenUrl = (c: ZoneConfig) => `http://${c.listen.host}:${c.listen.port}`;

/**
 * A node's data directory under the federation's: its zone, unless several zone files
 * serve that zone (replicas in regions, e.g. zones/root-eu-west.json): then the primary
 * (the one that is its own first replica) keeps the zone's name and the others get
 * `<zone>@<region>-<port>`, so no two nodes share a store.
 */
function dataDirName(c: ZoneConfig, configs: ZoneConfig[]): string {
  const same = configs.filter((o) => o.zone === c.zone);
  if (same.length === 1) return c.zone;
  const primary = same.find((o) => o.replicas[0]?.url.replace(/\/$/, '') === listenUrl(o)) ?? same[0];
  return c === primary ? c.zone : `${c.zone}@${c.region}-${c.listen.port}`;
}

export async function startFederation(configs: ZoneConfig[], opts: FederationOptions = {}): Promise<Federation> {
  const listeners = await Promise.all(configs.map((c) => listen(c.listen.host, opts.ephemeralPorts ? 0 : c.listen.port)));
  const rewrite = new Map(configs.map((c, i) => [listenUrl(c), listeners[i]!.url]));
  const fix = <T extends { url: string }>(e: T): T => ({ ...e, url: rewrite.get(e.url.replace(/\/$/, '')) ?? e.url });
  const nodes: RunningNode[] = [];
  try {
    // Every zone's certificate, made once (parents first, under a lock) and reused after.
    const material = opts.certsDir
      ? await Promise.all(configs.map((c) => (c.join === 'register' ? undefined : demoMaterial(c.zone, c.rootDomain, opts.certsDir!))))
      : configs.map(() => undefined);
    for (const i of joinOrder(configs)) {
      const c = configs[i]!;
      if (c.join === 'register') {
        const parent = nodes.find((n) => n.ctx.config.zone === c.parent?.zone);
        material[i] = await joinParent({ config: c, parent, url: listeners[i]!.url, certsDir: opts.certsDir });
      }
      const config: ZoneConfig = {
        ...c,
        listen: { host: c.listen.host, port: listeners[i]!.port },
        parent: c.parent ? { zone: c.parent.zone, endpoints: c.parent.endpoints.map(fix) } : undefined,
        replicas: c.replicas.map(fix),
        delegations: c.delegations.map((d) => ({ ...d, endpoints: d.endpoints.map(fix) })),
      };
      const node = await createNode({
        config,
        dataDir: opts.dataDir ? join(opts.dataDir, dataDirName(c, configs)) : undefined,
        redisUrl: opts.redisUrl,
        fsync: opts.fsync,
        log: opts.log,
        requestLog: opts.requestLog,
        identity: material[i],
        origins: [listeners[i]!.url, ...config.replicas.map((r) => r.url)],
        delivery: opts.delivery,
      });
      listeners[i]!.attach(node.app.fetch, node.fast, node.hooks);
      nodes.push(attachServer(node, listeners[i]!));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.close()));
    const started = new Set(nodes.map((n) => n.server));
    await Promise.all(listeners.filter((l) => !started.has(l.server)).map((l) => closeServer(l.server)));
    throw err;
  }
  return {
    nodes,
    /** The zone's node; of a zone served in several regions, its primary (its own first replica). */
    byZone(zone) {
      const same = nodes.filter((x) => x.ctx.config.zone === zone);
      const n = same.find((x) => x.ctx.config.replicas[0]?.url.replace(/\/$/, '') === x.url) ?? same[0];
      if (!n) throw new Error(`no node for zone ${zone}`);
      return n;
    },
    async close() {
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}

// Wires a node's federation delivery (SPEC §6): the push outbox to its parent (its own
// public changes, and what its subtree index accepted from children, forwarded up), one
// outbox per sibling replica of its zone (what its subtree index accepted from children,
// so every replica's index holds it within moments, not at its next pull), and the pull
// loop over its children. All need a registry identity (every exchange is signed). Zone
// policy `federation.push: false` turns pushes off, up and to siblings (the pull repairs);
// `federation.pull_interval_seconds` (or NodeOptions.pullIntervalMs) sets the interval.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import { Outbox } from '../federation/push/outbox.js';
import { OutboxQueue } from '../federation/push/outbox-queue.js';
import { pushEntryFor } from '../federation/push/outgoing.js';
import { pushToParent } from '../federation/push/send.js';
import { Puller } from '../federation/pull/puller.js';
import { replicaPeers } from '../federation/replicas/index.js';
import type { SubtreeIndex } from '../federation/subtree/index.js';
import type { FederationHealth } from '../health/index.js';
import type { PeerClient } from '../peer/index.js';
import type { ZoneStore } from '../store/zone-store.js';
import type { Delegations } from '../topology/delegations.js';
import type { ZoneConfig } from '../zonefile/index.js';

export interface DeliveryOptions {
  /** Pull interval override (tests, `serve --pull-interval`); default the zone policy's. */
  pullIntervalMs?: number;
  /** Outbox bounds (default 100,000 entries / 64 MiB) and retry cap. */
  outboxMaxEntries?: number;
  outboxMaxBytes?: number;
  pushRetryCapMs?: number;
}

export interface DeliveryDeps {
  config: ZoneConfig;
  store: ZoneStore;
  subtree: SubtreeIndex;
  delegations: Delegations;
  signed?: PeerClient;
  audit: AuditLog;
  health: FederationHealth;
  log: Logger;
  dataDir?: string;
  fsync?: boolean;
  /** URLs this node is reached at (a zone file's replica list may name this node too). */
  selfUrls?: string[];
}

export interface Delivery {
  outbox?: Outbox;
  /** One outbox per sibling replica of this zone, by replica id. */
  siblings: Map<string, Outbox>;
  puller?: Puller;
  start(): void;
  close(): Promise<void>;
}

/** A replica id as a directory name: anything but [A-Za-z0-9._-] percent-encoded, so no two ids share one. */
const dirSafe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

export async function openDelivery(d: DeliveryDeps, o: DeliveryOptions = {}): Promise<Delivery> {
  const { config, signed } = d;
  const parent = config.parent;
  const pushes = !!signed && config.policy.federation.push;
  const all: Outbox[] = [];
  // outbox depth (health, steward_outbox_depth) counts every outbox: parent and siblings
  const onDepth = () => {
    d.health.outboxDepth = all.reduce((n, ob) => n + ob.depthNow, 0);
  };
  const open = (dir: string) => OutboxQueue.open({ dir: d.dataDir && join(d.dataDir, dir), fsync: d.fsync, log: d.log, maxEntries: o.outboxMaxEntries, maxBytes: o.outboxMaxBytes });
  let outbox: Outbox | undefined;
  if (pushes && parent) {
    const queue = await open('outbox');
    const urls = parent.endpoints.map((e) => e.url);
    const ob = new Outbox({
      queue,
      parentZone: parent.zone,
      audit: d.audit,
      health: d.health,
      log: d.log,
      retryCapMs: o.pushRetryCapMs,
      onDepth,
      send: (entries, attempt) => pushToParent(signed!, urls[attempt % urls.length]!, config.zone, entries),
    });
    all.push(ob);
    d.health.known(parent.zone, 'parent', urls[0]);
    d.store.onChange((change) => {
      // A delete's signed unpublish comes with the stored tombstone (AgentRecord.tombstone).
      const entry = pushEntryFor(change);
      if (entry) ob.enqueue(entry);
    });
    d.subtree.onApplied((batch) => {
      for (const a of batch) ob.enqueue(a.entry);
    });
    outbox = ob;
  }
  // Sibling replicas: a signed push as this zone itself (the replicas share its
  // certificate) to each one, through its own durable outbox. Only what came from a child
  // (push or pull) is forwarded: what a sibling forwarded here, it sent to every sibling
  // itself, and the zone's own records travel by anti-entropy.
  const siblings = new Map<string, Outbox>();
  if (pushes) {
    for (const peer of replicaPeers(config, d.selfUrls)) {
      const ob = new Outbox({
        queue: await open(`outbox-replica-${dirSafe(peer.id)}`),
        parentZone: peer.id,
        role: 'replica',
        audit: d.audit,
        health: d.health,
        log: d.log,
        retryCapMs: o.pushRetryCapMs,
        onDepth,
        send: (entries) => pushToParent(signed!, peer.url, config.zone, entries),
      });
      all.push(ob);
      siblings.set(peer.id, ob);
    }
    if (siblings.size) {
      d.subtree.onApplied((batch) => {
        for (const a of batch) {
          if (a.from === config.zone) continue;
          for (const ob of siblings.values()) ob.enqueue(a.entry);
        }
      });
    }
  }
  onDepth();
  const puller = signed
    ? await Puller.open({
      rootDomain: config.rootDomain, delegations: d.delegations, subtree: d.subtree, signed, audit: d.audit, health: d.health, log: d.log,
      dir: d.dataDir && join(d.dataDir, 'pull'), fsync: d.fsync,
      intervalMs: o.pullIntervalMs ?? config.policy.federation.pullIntervalSeconds * 1000,
    })
    : undefined;
  return {
    outbox,
    siblings,
    puller,
    start() {
      for (const ob of all) ob.kick();
      puller?.start();
    },
    async close() {
      await Promise.all([...all.map((ob) => ob.close()), puller?.close()]);
    },
  };
}

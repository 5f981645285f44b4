// Wires a node's federation delivery (SPEC §6): the push outbox to its parent (its own
// public changes, and what its subtree index accepted from children, forwarded up) and
// the pull loop over its children. Both need a registry identity (every exchange is
// signed). Zone policy `federation.push: false` turns pushes off (the pull repairs);
// `federation.pull_interval_seconds` (or NodeOptions.pullIntervalMs) sets the interval.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import { Outbox } from '../federation/push/outbox.js';
import { OutboxQueue } from '../federation/push/outbox-queue.js';
import { pushEntryFor } from '../federation/push/outgoing.js';
import { pushToParent } from '../federation/push/send.js';
import { Puller } from '../federation/pull/puller.js';
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
}

export interface Delivery {
  outbox?: Outbox;
  puller?: Puller;
  start(): void;
  close(): Promise<void>;
}

export async function openDelivery(d: DeliveryDeps, o: DeliveryOptions = {}): Promise<Delivery> {
  const { config, signed } = d;
  const parent = config.parent;
  let outbox: Outbox | undefined;
  if (signed && parent && config.policy.federation.push) {
    const queue = await OutboxQueue.open({ dir: d.dataDir && join(d.dataDir, 'outbox'), fsync: d.fsync, log: d.log, maxEntries: o.outboxMaxEntries, maxBytes: o.outboxMaxBytes });
    const urls = parent.endpoints.map((e) => e.url);
    const ob = new Outbox({
      queue,
      parentZone: parent.zone,
      audit: d.audit,
      health: d.health,
      log: d.log,
      retryCapMs: o.pushRetryCapMs,
      send: (entries, attempt) => pushToParent(signed, urls[attempt % urls.length]!, config.zone, entries),
    });
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
  const puller = signed
    ? await Puller.open({
      rootDomain: config.rootDomain, delegations: d.delegations, subtree: d.subtree, signed, audit: d.audit, health: d.health, log: d.log,
      dir: d.dataDir && join(d.dataDir, 'pull'), fsync: d.fsync,
      intervalMs: o.pullIntervalMs ?? config.policy.federation.pullIntervalSeconds * 1000,
    })
    : undefined;
  return {
    outbox,
    puller,
    start() {
      outbox?.kick();
      puller?.start();
    },
    async close() {
      await Promise.all([outbox?.close(), puller?.close()]);
    },
  };
}

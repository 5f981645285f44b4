// The replicas of one zone (SPEC §6 "Replicas and geo"): this replica's id, the digest
// its peers compare, the anti-entropy loop that pulls from them, and the record of
// conflicts: every write that loses to a concurrent one is kept in the audit log
// ('conflict', with the losing version) and counted in federation health.
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/index.js';
import type { FederationHealth } from '../../health/index.js';
import type { PeerClient } from '../../peer/index.js';
import type { ZoneStore } from '../../store/zone-store.js';
import type { Conflict, ZoneWriter } from '../../store/writer.js';
import type { ZoneConfig } from '../../zonefile/index.js';
import { AntiEntropy, type ReplicaPeer } from './anti-entropy.js';
import { ReplicaDigest } from './digest.js';

export interface ReplicasOptions {
  config: ZoneConfig;
  store: ZoneStore;
  writer: ZoneWriter;
  signed?: PeerClient;
  audit: AuditLog;
  health: FederationHealth;
  log: Logger;
  /** Round interval (default: the zone file's anti_entropy_seconds). */
  intervalMs?: number;
  /** URLs this node is reached at: a zone file's replica list may name this node too. */
  selfUrls?: string[];
}

export const replicaIdOf = (region: string | undefined, zone: string, url: string) => `${region ?? new URL(url).host}:${zone}`;

/** The zone file's replicas other than this node, each with its replica id. */
export function replicaPeers(config: ZoneConfig, selfUrls: string[] = []): ReplicaPeer[] {
  // The demo's zone files list each node among its own replicas, by its listen address.
  const self = new Set([...selfUrls, `http://${config.listen.host}:${config.listen.port}`, `https://${config.listen.host}:${config.listen.port}`].map((u) => new URL(u).origin));
  const own = `${config.region}:${config.zone}`;
  const seen = new Set<string>([own]);
  const peers: ReplicaPeer[] = [];
  for (const r of config.replicas) {
    if (self.has(new URL(r.url).origin)) continue;
    let id = replicaIdOf(r.region, config.zone, r.url);
    if (seen.has(id)) id = `${new URL(r.url).host}:${config.zone}`;
    seen.add(id);
    peers.push({ id, url: r.url });
  }
  return peers;
}

const AUDIT_RECORD_BYTES = 12 * 1024;

/** The losing version as the audit log keeps it: the whole record when small, else all but its JWS. */
function losing(c: Conflict): Record<string, unknown> {
  const { op, record } = c.loser;
  const full = JSON.stringify(record).length <= AUDIT_RECORD_BYTES;
  const { jws, endpoints, ...rest } = record;
  return { op, record: full ? record : { ...rest, jws_bytes: jws.length, endpoints: endpoints.length } };
}

export class Replicas {
  readonly id: string;
  readonly digest: ReplicaDigest;
  readonly antiEntropy: AntiEntropy;

  constructor(o: ReplicasOptions) {
    this.id = o.writer.replicaId;
    this.digest = new ReplicaDigest(o.store, o.writer);
    // A vector clock needs one id per replica: two replicas in one region would count as one.
    const same = o.config.replicas.filter((r) => r.region === o.config.region && replicaPeers({ ...o.config, replicas: [r] }, o.selfUrls).length);
    if (same.length) o.log.warn({ replica: this.id, peers: same.map((r) => r.url) }, 'replicas share this replica\'s region, so their writes share one vector clock entry: give each replica its own region');
    this.antiEntropy = new AntiEntropy({
      zone: o.config.zone, namespace: o.config.namespace, peers: replicaPeers(o.config, o.selfUrls), digest: this.digest, writer: o.writer,
      signed: o.signed, audit: o.audit, health: o.health, log: o.log, intervalMs: o.intervalMs ?? o.config.antiEntropySeconds * 1000,
    });
    o.writer.onConflict((c) => {
      const w = c.winner.record;
      o.health.conflict();
      o.audit.append('conflict', {
        peer: c.from,
        detail: `${w.id}: concurrent writes; kept ${c.winner.op} ${w.version} (${w.digest.slice(0, 19)}) by ${c.reason}, the other is kept here`,
        data: { name: c.name, reason: c.reason, winner: { op: c.winner.op, version: w.version, digest: w.digest, published_at: w.published_at, vector_clock: w.vector_clock }, loser: losing(c) },
      });
    });
  }

  start(): void {
    this.antiEntropy.start();
  }

  close(): Promise<void> {
    return this.antiEntropy.close();
  }
}

// One reading of the federation's health as this node sees it, for /metrics and
// /v1/alerts alike: the registries it knows (itself, its parent, its children, its zone's
// other replicas), which are up, how far behind the root changes may be, partitions and
// conflicts. A registry the zone file or a registration names but no exchange has
// reported on yet counts as up ("known"), as FederationHealth.known() does; a report
// (ok/failed) from the push, pull, anti-entropy or probe loop decides after that.
import type { ZoneConfig } from '../zonefile/index.js';
import type { Delegations } from '../topology/delegations.js';
import type { FederationHealth, PartitionState, PeerHealth, PeerRole } from './index.js';

export interface RegistryState {
  key: string;
  role: PeerRole | 'self';
  url?: string;
  up: boolean;
  /** ms since epoch: since when `up` has had its value. */
  since: number;
  lastError?: string;
  failuresTotal: number;
  /** Seconds since its exchange was last up to date; undefined if never synced. */
  lagSeconds?: number;
}

export interface HealthSummary {
  now: number;
  registries: RegistryState[];
  online: number;
  down: RegistryState[];
  /**
   * Estimate of how far behind the root the worst-synced changes this node knows of are:
   * lag of this node's changes at its parent (0 at the root) plus the largest lag of a
   * child's changes here. Always a number (0 with nothing to lag).
   */
  behindRootSeconds: number;
  partitions: PartitionState[];
  conflictsTotal: number;
  conflictsLastHour: number;
  outboxDepth: number;
}

export interface SummarySources {
  config: ZoneConfig;
  delegations: Delegations;
  health: FederationHealth;
  startedAt: number;
}

const state = (p: PeerHealth, lag: number | undefined): RegistryState => ({
  key: p.key, role: p.role, url: p.url, up: p.up, since: p.since, lastError: p.lastError, failuresTotal: p.failuresTotal, lagSeconds: lag,
});

/** The peers the zone file and the delegations name, keyed as health reports them (zone; replicas by url). */
export function namedPeers(config: ZoneConfig, delegations: Delegations): { key: string; role: PeerRole; url?: string }[] {
  const out: { key: string; role: PeerRole; url?: string }[] = [];
  if (config.parent) out.push({ key: config.parent.zone, role: 'parent', url: config.parent.endpoints[0]?.url });
  for (const d of delegations.list()) if (d.state === 'active') out.push({ key: d.zone, role: 'child', url: d.endpoints[0]?.url });
  for (const r of config.replicas) out.push({ key: r.url, role: 'replica', url: r.url });
  return out;
}

export function summarize(src: SummarySources, now = Date.now()): HealthSummary {
  const { health } = src;
  const reported = health.list();
  const byKey = new Map(reported.map((p) => [p.key, p]));
  const byUrl = new Map(reported.filter((p) => p.url).map((p) => [p.url!.replace(/\/$/, ''), p]));
  const registries: RegistryState[] = [{ key: src.config.zone, role: 'self', up: true, since: src.startedAt, failuresTotal: 0 }];
  const seen = new Set<PeerHealth>();
  for (const n of namedPeers(src.config, src.delegations)) {
    const p = byKey.get(n.key) ?? (n.url ? byUrl.get(n.url.replace(/\/$/, '')) : undefined);
    if (p) {
      if (seen.has(p)) continue;
      seen.add(p);
      registries.push(state(p, health.lagSeconds(p.key)));
    } else {
      registries.push({ key: n.key, role: n.role, url: n.url, up: true, since: src.startedAt, failuresTotal: 0 });
    }
  }
  for (const p of reported) if (!seen.has(p)) registries.push(state(p, health.lagSeconds(p.key)));
  const down = registries.filter((r) => !r.up);
  const lagOf = (role: PeerRole) => Math.max(0, ...registries.filter((r) => r.role === role && r.lagSeconds !== undefined).map((r) => r.lagSeconds!));
  return {
    now,
    registries,
    online: registries.length - down.length,
    down,
    behindRootSeconds: lagOf('parent') + lagOf('child'),
    partitions: health.partitioned,
    conflictsTotal: health.conflicts,
    conflictsLastHour: health.conflictsLastHour(),
    outboxDepth: health.outboxDepth,
  };
}

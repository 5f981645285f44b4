// Metrics read at scrape time (prom-client collect callbacks) from what the node already
// keeps: its store's size, the subtree index's size (a hook its owner sets) and the
// federation health summary (src/health/summary.ts). Nothing needs to push these values,
// so they cannot go stale or read 0 because a loop forgot to set them. One summary serves
// every metric of a scrape: prom-client runs all collect callbacks in one pass, and the
// summary is dropped at the next turn of the event loop.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { HealthSummary } from '../health/summary.js';

export interface MetricSources {
  startedAt: number;
  /** Agents stored in this zone. */
  agents: () => number;
  summary: () => HealthSummary;
}

export function federationMetrics(registers: Registry[]) {
  let sources: MetricSources | undefined;
  let subtree: number | (() => number) = 0;
  let cached: HealthSummary | undefined;
  const summary = (): HealthSummary | undefined => {
    if (!sources) return undefined;
    if (!cached) {
      cached = sources.summary();
      setImmediate(() => (cached = undefined));
    }
    return cached;
  };
  /** A gauge set from the summary (skipped until the node binds its sources). */
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], set: (g: Gauge<L>, s: HealthSummary) => void) =>
    new Gauge<L>({
      name, help, labelNames, registers,
      collect() {
        const s = summary();
        if (!s) return;
        this.reset();
        set(this, s);
      },
    });
  const peers = (s: HealthSummary) => s.registries.filter((r) => r.role !== 'self');

  new Gauge({ name: 'steward_uptime_seconds', help: 'Seconds since this node started', registers, collect() { if (sources) this.set((Date.now() - sources.startedAt) / 1000); } });
  new Gauge({ name: 'steward_agents', help: 'Agents stored in this zone', registers, collect() { if (sources) this.set(sources.agents()); } });
  new Gauge({
    name: 'steward_subtree_agents', help: "Agents of the zones below this one held in its subtree index", registers,
    collect() { this.set(typeof subtree === 'function' ? subtree() : subtree); },
  });
  gauge('steward_registries_online', 'Registries up as this node sees them: itself, its parent, children and replicas', [], (g, s) => g.set(s.online));
  gauge('steward_registries_known', 'Registries this node knows of, itself included', [], (g, s) => g.set(s.registries.length));
  gauge('steward_registry_up', 'Whether a peer registry is up (1) or down (0)', ['peer', 'role'], (g, s) => {
    for (const r of peers(s)) g.set({ peer: r.key, role: r.role }, r.up ? 1 : 0);
  });
  gauge('steward_sync_lag_seconds', "How far behind the root this node's view may be: lag at its parent plus its worst child's lag (0 at the root with children in sync)", [], (g, s) => g.set(s.behindRootSeconds));
  gauge('steward_peer_sync_lag_seconds', "Seconds since a peer's exchange with this node was last up to date", ['peer', 'role'], (g, s) => {
    for (const r of peers(s)) if (r.lagSeconds !== undefined) g.set({ peer: r.key, role: r.role }, r.lagSeconds);
  });
  gauge('steward_partition_detected', 'Whether a partition (split brain) among replicas is detected (1) or not (0)', [], (g, s) => g.set(s.partitions.length ? 1 : 0));
  gauge('steward_partitioned_peers', 'Peers this node detects a partition with', [], (g, s) => g.set(s.partitions.length));
  gauge('steward_conflicts_last_hour', 'Replica conflicts resolved in the last hour', [], (g, s) => g.set(s.conflictsLastHour));
  gauge('steward_outbox_depth', 'Changes waiting in the push outboxes (to the parent and to sibling replicas)', [], (g, s) => g.set(s.outboxDepth));
  new Counter({
    name: 'steward_conflicts_total', help: 'Replica conflicts resolved (the losing write is in the audit log)', registers,
    collect() {
      const s = summary();
      this.reset();
      this.inc(s?.conflictsTotal ?? 0);
    },
  });
  new Counter<'peer' | 'role'>({
    name: 'steward_sync_failures_total', help: 'Failed exchanges with a peer registry (push, pull, anti-entropy, probe)', labelNames: ['peer', 'role'], registers,
    collect() {
      const s = summary();
      if (!s) return;
      this.reset();
      for (const r of peers(s)) this.inc({ peer: r.key, role: r.role }, r.failuresTotal);
    },
  });

  return {
    bind(s: MetricSources) {
      sources = s;
      cached = undefined;
    },
    setSubtreeSize(size: number | (() => number)) {
      subtree = size;
    },
  };
}

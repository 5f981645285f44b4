// Prometheus metrics. One registry per node (the demo runs several nodes in one process,
// so the global default registry would mix them up).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from './labelled.js';

export type { CounterChild, Observer } from './labelled.js';

export interface Metrics {
  registry: Registry;
  /** Observed for every answered query (the resolve hot path keeps a child per status). */
  queryLatency: LabelledHistogram<'endpoint' | 'status'>;
  cacheHits: LabelledCounter<'kind'>;
  cacheMisses: LabelledCounter<'kind'>;
  cacheStale: LabelledCounter<'kind'>;
  upstreamRequests: Counter<'zone' | 'outcome'>;
  upstreamLatency: Histogram<'zone'>;
  agentCount: Gauge;
  publishes: Counter<'outcome'>;
  syncLag: Gauge<'peer'>;
  syncFailures: Counter<'peer'>;
  conflicts: Counter;
  registriesOnline: Gauge;
}

export function createMetrics({ defaults = false }: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    queryLatency: new LabelledHistogram({
      name: 'steward_query_duration_seconds',
      help: 'Latency of answered queries',
      labelNames: ['endpoint', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    cacheHits: new LabelledCounter({ name: 'steward_cache_hits_total', help: 'Cache hits', labelNames: ['kind'], registers }),
    cacheMisses: new LabelledCounter({ name: 'steward_cache_misses_total', help: 'Cache misses', labelNames: ['kind'], registers }),
    cacheStale: new LabelledCounter({ name: 'steward_cache_stale_served_total', help: 'Stale answers served (RFC 8767)', labelNames: ['kind'], registers }),
    upstreamRequests: new Counter({
      name: 'steward_upstream_requests_total',
      help: 'Requests to other registries',
      labelNames: ['zone', 'outcome'],
      registers,
    }),
    upstreamLatency: new Histogram({
      name: 'steward_upstream_duration_seconds',
      help: 'Latency of requests to other registries',
      labelNames: ['zone'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    agentCount: new Gauge({ name: 'steward_agents', help: 'Agents stored in this zone', registers }),
    publishes: new Counter({ name: 'steward_publishes_total', help: 'Publish attempts', labelNames: ['outcome'], registers }),
    syncLag: new Gauge({ name: 'steward_sync_lag_seconds', help: 'Seconds since last successful sync', labelNames: ['peer'], registers }),
    syncFailures: new Counter({ name: 'steward_sync_failures_total', help: 'Failed syncs', labelNames: ['peer'], registers }),
    conflicts: new Counter({ name: 'steward_conflicts_total', help: 'Replica conflicts resolved by last-write-wins', registers }),
    registriesOnline: new Gauge({ name: 'steward_registries_online', help: 'Registries answering health checks', registers }),
  };
}

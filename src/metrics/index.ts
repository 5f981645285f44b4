// Prometheus metrics. One registry per node (the demo runs several nodes in one process,
// so the global default registry would mix them up). Everything is prom-client except the
// two metrics the warm resolve path counts into (labelled.ts: prom-client's children hash
// their labels on every call; scripts/bench-metrics.ts measures it). The federation's
// health (registries online, sync lag, partitions, conflicts, outbox) is read from
// ctx.health at scrape time by collect callbacks (federation.ts): nothing pushes it.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from './labelled.js';
import { federationMetrics, type MetricSources } from './federation.js';

export type { MetricSources } from './federation.js';

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
  publishes: Counter<'outcome'>;
  /** Signed requests the middleware refused (src/http/signed.ts), by error code. */
  signedRefusals: Counter<'code'>;
  /** Wires the scrape-time readings (store size, federation health); called once by the node. */
  bind(sources: MetricSources): void;
  /** The subtree index's size (agents of the zones below): a number, or a function read at each scrape. */
  setSubtreeSize(size: number | (() => number)): void;
}

export function createMetrics({ defaults = false }: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const federation = federationMetrics(registers);
  return {
    bind: federation.bind,
    setSubtreeSize: federation.setSubtreeSize,
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
    publishes: new Counter({ name: 'steward_publishes_total', help: 'Publish attempts', labelNames: ['outcome'], registers }),
    signedRefusals: new Counter({ name: 'steward_signed_refusals_total', help: 'Signed requests refused, by error code', labelNames: ['code'], registers }),
  };
}

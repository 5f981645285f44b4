// The resolver as a node wires it: ZoneView + settings in, a Resolver out.
// Also the public surface of src/resolver/.
import { DEFAULTS } from '../config/index.js';
import type { Metrics } from '../metrics/index.js';
import type { PeerClient } from '../peer/index.js';
import type { RegionEndpoint } from '../records/types.js';
import { createCache } from './cache/index.js';
import type { RedisCacheOptions } from './cache/redis.js';
import type { ResolverLimits, UpstreamOptions } from './options.js';
import { createResolver, type Resolver } from './recursive.js';
import type { ZoneView } from './types.js';
import { Upstream } from './upstream.js';

export { answerAuthoritatively, outsideView } from './authoritative.js';
export { createCache, MemoryCache, RedisCache, TieredCache, type ResolverCache, type CacheEntry } from './cache/index.js';
export { DEFAULT_LIMITS, DEFAULT_UPSTREAM, resolverLimits, upstreamOptions, type ResolverLimits, type UpstreamOptions } from './options.js';
export { createResolver, type Resolver, type ResolverDeps, type ResolveOptions, type ResolverStats } from './recursive.js';
export { Upstream } from './upstream.js';
export { RESOLVER_HEADER } from './wire.js';
export type * from './types.js';

export interface NodeResolverOptions {
  view: ZoneView;
  metrics?: Metrics;
  /** REDIS_URL: share the cache with the other nodes of the site. */
  redisUrl?: string;
  redis?: Omit<RedisCacheOptions, 'url' | 'now'>;
  /** In-process cache size (entries). */
  cacheEntries?: number;
  /** In-process cache size (bytes). */
  cacheBytes?: number;
  /** The node's peer client (src/peer/), shared with discover; closed by the node, not here. */
  peer?: PeerClient;
  /** Without a shared peer client: loopback/private referral targets allowed (zone policy). */
  allowPrivate?: boolean;
  limits?: Partial<ResolverLimits>;
  upstream?: Partial<UpstreamOptions>;
  rootHints?: RegionEndpoint[];
  onBackgroundError?: (err: unknown, name: string) => void;
}

export function createNodeResolver(o: NodeResolverOptions): Resolver {
  const cache = createCache({ entries: o.cacheEntries ?? DEFAULTS.cache.entries, maxBytes: o.cacheBytes, redisUrl: o.redisUrl, redis: o.redis });
  const upstream = new Upstream(o.upstream, { metrics: o.metrics, identity: o.view.zone, rootDomain: o.view.rootDomain, peer: o.peer, allowPrivate: o.allowPrivate });
  return createResolver({
    view: o.view,
    cache,
    upstream,
    metrics: o.metrics,
    limits: o.limits,
    rootHints: o.rootHints,
    onBackgroundError: o.onBackgroundError,
  });
}

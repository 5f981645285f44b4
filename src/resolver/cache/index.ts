// Cache construction: memory only, or memory in front of Redis when a URL is given.
import { DEFAULTS } from '../../config/index.js';
import { MemoryCache } from './memory.js';
import { RedisCache, type RedisCacheOptions } from './redis.js';
import { TieredCache } from './tiered.js';
import type { ResolverCache } from './types.js';

export { MemoryCache } from './memory.js';
export { RedisCache } from './redis.js';
export { TieredCache } from './tiered.js';
export * from './types.js';

export interface CacheOptions {
  /** In-process LRU size. */
  entries: number;
  /** In-process bound in bytes (default DEFAULTS.cache.maxBytes, 64 MiB). */
  maxBytes?: number;
  /** Largest entry either tier stores (default DEFAULTS.cache.maxEntryBytes, 64 KiB). */
  maxEntryBytes?: number;
  /** Set to share the cache through Redis (REDIS_URL). */
  redisUrl?: string;
  redis?: Omit<RedisCacheOptions, 'url' | 'now'>;
  now?: () => number;
}

export function createCache({ entries, maxBytes = DEFAULTS.cache.maxBytes, maxEntryBytes = DEFAULTS.cache.maxEntryBytes, redisUrl, redis, now = Date.now }: CacheOptions): ResolverCache {
  const memory = new MemoryCache({ entries, maxBytes, maxEntryBytes, now });
  if (!redisUrl) return memory;
  return new TieredCache(memory, new RedisCache({ url: redisUrl, now, maxEntryBytes, ...redis }), now);
}

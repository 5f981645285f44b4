// Cache construction: memory only, or memory in front of Redis when a URL is given.
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
  /** Set to share the cache through Redis (REDIS_URL). */
  redisUrl?: string;
  redis?: Omit<RedisCacheOptions, 'url' | 'now'>;
  now?: () => number;
}

export function createCache({ entries, redisUrl, redis, now = Date.now }: CacheOptions): ResolverCache {
  const memory = new MemoryCache({ entries, now });
  if (!redisUrl) return memory;
  return new TieredCache(memory, new RedisCache({ url: redisUrl, now, ...redis }), now);
}

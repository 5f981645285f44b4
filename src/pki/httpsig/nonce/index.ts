// The nonce store a node uses: Redis when REDIS_URL is configured, else in process.
import { MemoryNonceStore, type MemoryNonceStoreOptions } from './memory.js';
import { RedisNonceStore, type RedisNonceStoreOptions } from './redis.js';
import type { NonceStore } from './types.js';

export { MemoryNonceStore, RedisNonceStore };
export type { MemoryNonceStoreOptions, NonceStore, RedisNonceStoreOptions };

export function createNonceStore(opts: { redisUrl?: string; memory?: MemoryNonceStoreOptions; redis?: Omit<RedisNonceStoreOptions, 'url'> } = {}): NonceStore {
  return opts.redisUrl ? new RedisNonceStore({ url: opts.redisUrl, ...opts.redis }) : new MemoryNonceStore(opts.memory);
}

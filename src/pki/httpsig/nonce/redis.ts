// Redis nonce store: `SET <prefix><key> 1 NX EX <ttl>`, one round trip, atomic across every
// node sharing the Redis. Options as the resolver's Redis tier (resolver/cache/redis.ts):
// no offline queue, a short command timeout, no retries, ioredis reconnecting by itself.
// Unlike the cache, Redis is not optional here once configured: if it is down, slow or
// still connecting, claim() throws NONCE_STORE_DOWN and the request is refused (SPEC §5).
import { closeRedis, failFastRedis, type RedisClient } from '../../../redis/index.js';
import { StewardError } from '../../../errors/index.js';
import type { NonceStore } from './types.js';

export interface RedisNonceStoreOptions {
  url: string;
  keyPrefix?: string;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
  /** Told once when Redis goes away and once when it is back. */
  onStateChange?: (up: boolean, err?: Error) => void;
}

const down = (why: string) => new StewardError('NONCE_STORE_DOWN', `replay protection is unavailable: Redis ${why}`);

export class RedisNonceStore implements NonceStore {
  readonly name = 'redis';
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly connectTimeoutMs: number;
  private readonly onStateChange?: (up: boolean, err?: Error) => void;
  private closed = false;

  constructor({
    url,
    keyPrefix = 'steward:nonce:',
    commandTimeoutMs = 200,
    connectTimeoutMs = 1_000,
    maxReconnectDelayMs = 2_000,
    onStateChange,
  }: RedisNonceStoreOptions) {
    this.prefix = keyPrefix;
    this.connectTimeoutMs = connectTimeoutMs;
    this.onStateChange = onStateChange;
    this.client = failFastRedis(url, {
      commandTimeoutMs,
      connectTimeoutMs,
      maxReconnectDelayMs,
      onStateChange: (up, err) => {
        if (!this.closed) this.onStateChange?.(up, err);
      },
    });
  }

  /** Resolves once connected; rejects with NONCE_STORE_DOWN after the connect timeout. */
  ready(timeoutMs = this.connectTimeoutMs): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(down(`did not become ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.closed) throw down('store is closed');
    if (this.client.status !== 'ready') throw down(`is ${this.client.status}`);
    let reply: string | null;
    try {
      reply = await this.client.set(this.prefix + key, '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX');
    } catch (err) {
      throw down(`failed: ${(err as Error).message}`);
    }
    return reply === 'OK';
  }

  /** Seconds Redis still keeps `key` (TTL), for tests; -2 when absent. */
  ttl(key: string): Promise<number> {
    return this.client.ttl(this.prefix + key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeRedis(this.client);
  }
}

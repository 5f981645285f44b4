// Shared tier: Redis, one per site, so a name learnt by one node is known to all.
// Redis is an accelerator, never a dependency: with the offline queue off and a short
// command timeout a down or slow Redis costs a query at most `commandTimeoutMs`, and
// after a timeout the tier steps aside for `backoffMs` instead of slowing every query.
// ioredis reconnects on its own (capped exponential backoff); when the connection is
// ready again the tier is used again.
import { closeRedis, failFastRedis, type RedisClient } from '../../redis/index.js';
import { looksLikeEntry, type CacheEntry, type ResolverCache } from './types.js';

export interface RedisCacheOptions {
  url: string;
  /** Prefix for every key, so one Redis can hold several federations' caches. */
  keyPrefix?: string;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** How long to skip Redis after a command timed out. */
  backoffMs?: number;
  /** Reconnect delay cap. */
  maxReconnectDelayMs?: number;
  /** Largest serialised entry stored (default 64 KiB): a bigger one is refused, not sent. */
  maxEntryBytes?: number;
  /** Told once when Redis goes away and once when it is back (not on every failed command). */
  onStateChange?: (up: boolean, err?: Error) => void;
  now?: () => number;
}

export class RedisCache implements ResolverCache {
  readonly name = 'redis';
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly backoffMs: number;
  private readonly maxEntryBytes: number;
  private readonly now: () => number;
  private readonly onStateChange?: (up: boolean, err?: Error) => void;
  private skipUntil = 0;
  private closed = false;

  constructor({
    url,
    keyPrefix = 'steward:cache:',
    commandTimeoutMs = 200,
    connectTimeoutMs = 1_000,
    backoffMs = 1_000,
    maxEntryBytes = 64 * 1024,
    maxReconnectDelayMs = 2_000,
    onStateChange,
    now = Date.now,
  }: RedisCacheOptions) {
    this.prefix = keyPrefix;
    this.backoffMs = backoffMs;
    this.maxEntryBytes = maxEntryBytes;
    this.now = now;
    this.onStateChange = onStateChange;
    this.client = failFastRedis(url, {
      commandTimeoutMs,
      connectTimeoutMs,
      maxReconnectDelayMs,
      onStateChange: (up, err) => {
        if (up) this.skipUntil = 0;
        if (!this.closed) this.onStateChange?.(up, err);
      },
    });
  }

  /** True when commands may be sent now. */
  private usable(): boolean {
    return !this.closed && this.client.status === 'ready' && this.now() >= this.skipUntil;
  }

  private failed(err: unknown) {
    // A timeout means Redis is slow or stopped but the socket still looks open: step aside.
    if (err instanceof Error && /timed out/i.test(err.message)) this.skipUntil = this.now() + this.backoffMs;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    if (!this.usable()) return undefined;
    try {
      const raw = await this.client.get(this.prefix + key);
      if (!raw || raw.length > this.maxEntryBytes) return undefined;
      const entry: unknown = JSON.parse(raw);
      if (!looksLikeEntry(entry) || entry.staleUntil <= this.now()) return undefined;
      return entry;
    } catch (err) {
      this.failed(err);
      return undefined;
    }
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const keepMs = Math.ceil(entry.staleUntil - this.now());
    if (keepMs <= 0 || !this.usable()) return;
    const value = JSON.stringify(entry);
    if (key.length + value.length > this.maxEntryBytes) {
      await this.delete(key); // never leave an older value standing in for the refused one
      return;
    }
    try {
      // PX: Redis drops the entry itself once even a stale answer may no longer be served.
      await this.client.set(this.prefix + key, value, 'PX', keepMs);
    } catch (err) {
      this.failed(err);
    }
  }

  async delete(key: string): Promise<void> {
    if (!this.usable()) return;
    try {
      await this.client.del(this.prefix + key);
    } catch (err) {
      this.failed(err);
    }
  }

  /** Milliseconds Redis still keeps `key` (PTTL), for tests and diagnostics; undefined if unknown. */
  async pttl(key: string): Promise<number | undefined> {
    if (!this.usable()) return undefined;
    try {
      return await this.client.pttl(this.prefix + key);
    } catch {
      return undefined;
    }
  }

  get connected(): boolean {
    return this.client.status === 'ready';
  }

  state(): 'up' | 'down' {
    return this.usable() ? 'up' : 'down';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeRedis(this.client);
  }
}

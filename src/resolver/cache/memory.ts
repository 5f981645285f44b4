// In-process tier: a bounded LRU. lru-cache's own per-item TTL (set to the stale bound)
// reclaims memory; freshness is judged by the resolver from the entry's times.
import { LRUCache } from 'lru-cache';
import type { CacheEntry, ResolverCache } from './types.js';

export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first. */
  entries: number;
  now?: () => number;
}

export class MemoryCache implements ResolverCache {
  readonly name = 'memory';
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly now: () => number;

  constructor({ entries, now = Date.now }: MemoryCacheOptions) {
    if (!Number.isInteger(entries) || entries < 1) throw new RangeError(`memory cache entries must be a positive integer, got ${entries}`);
    this.lru = new LRUCache({ max: entries });
    this.now = now;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.peek(key);
  }

  /** Synchronous read, for callers that want to skip a microtask on the hot path. */
  peek(key: string): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry && entry.staleUntil <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const keepMs = entry.staleUntil - this.now();
    if (keepMs <= 0) return;
    this.lru.set(key, entry, { ttl: Math.ceil(keepMs) });
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  get size(): number {
    return this.lru.size;
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

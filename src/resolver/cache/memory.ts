// In-process tier: an LRU bounded by entries and by bytes (the serialised size of each
// entry), so a zone answering with big records cannot grow the node's memory past
// `maxBytes`; an entry over `maxEntryBytes` is not stored at all. lru-cache's own
// per-item TTL (set to the stale bound) reclaims memory; freshness is judged by the
// resolver from the entry's times.
import { LRUCache } from 'lru-cache';
import { entryBytes, type CacheEntry, type ResolverCache } from './types.js';

export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used go first. */
  entries: number;
  /** Most bytes kept (serialised size of entries and keys); default 64 MiB. */
  maxBytes?: number;
  /** Largest single entry stored; default 64 KiB. */
  maxEntryBytes?: number;
  now?: () => number;
}

export const MEMORY_DEFAULTS = { maxBytes: 64 * 1024 * 1024, maxEntryBytes: 64 * 1024 } as const;

export class MemoryCache implements ResolverCache {
  readonly name = 'memory';
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly now: () => number;
  private readonly maxEntryBytes: number;

  constructor({ entries, maxBytes = MEMORY_DEFAULTS.maxBytes, maxEntryBytes = MEMORY_DEFAULTS.maxEntryBytes, now = Date.now }: MemoryCacheOptions) {
    if (!Number.isInteger(entries) || entries < 1) throw new RangeError(`memory cache entries must be a positive integer, got ${entries}`);
    if (!(maxBytes > 0) || !(maxEntryBytes > 0)) throw new RangeError('memory cache maxBytes and maxEntryBytes must be positive');
    this.maxEntryBytes = Math.min(maxEntryBytes, maxBytes);
    this.lru = new LRUCache({ max: entries, maxSize: maxBytes, maxEntrySize: this.maxEntryBytes, sizeCalculation: (v, k) => entryBytes(k, v) });
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

  async set(key: string, entry: CacheEntry, wireBytes?: number): Promise<void> {
    const keepMs = entry.staleUntil - this.now();
    if (keepMs <= 0) return;
    // lru-cache skips an entry over maxEntrySize but keeps an older one under the key.
    // The answer's body size bounds what the entry keeps of it; when that bound is over the
    // entry limit (a padded answer: its extra fields are dropped) the entry is measured.
    const bound = wireBytes === undefined ? Infinity : entryBytes(key, entry, wireBytes);
    const bytes = bound <= this.maxEntryBytes ? bound : entryBytes(key, entry);
    if (bytes > this.maxEntryBytes) {
      this.lru.delete(key);
      return;
    }
    this.lru.set(key, entry, { ttl: Math.ceil(keepMs), size: bytes });
  }

  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }

  get size(): number {
    return this.lru.size;
  }

  /** Bytes held (as counted for the bound). */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /** Drops every entry (the cache stays usable). */
  clear(): void {
    this.lru.clear();
  }

  async close(): Promise<void> {
    this.lru.clear();
  }
}

// What other registries answered to discover, kept for a short time: a node that
// escalates the same query to its parent and the root many times a second asks each of
// them once per TTL, as a DNS resolver asks an authority once per TTL. Only validated
// answers are kept (failures and timeouts never), the cache is bounded by entries and by
// bytes, and concurrent asks for the same key share one request (no stampede when an
// entry expires under load). A request with `Cache-Control: no-cache` skips it.
import { LRUCache } from 'lru-cache';
import type { PeerResult } from './remote.js';

export interface RemoteAnswer {
  results: PeerResult[];
  dropped: number;
  /** How long the registry took to answer when it was asked. */
  latency_ms: number;
}

export interface DiscoverCacheOptions {
  /** How long an answer is reused; 0 turns the cache off. */
  ttlMs: number;
  entries: number;
  maxBytes: number;
}

/** Approximate bytes an answer holds (its strings as UTF-16, plus object overhead). */
function answerBytes(key: string, a: RemoteAnswer): number {
  let n = 2 * key.length + 64;
  for (const r of a.results) {
    n += 96 + 2 * (r.id.length + r.name.length + r.namespace.length + r.version.length);
    for (const c of r.capabilities) n += 16 + 2 * c.length;
  }
  return n;
}

export class RemoteDiscoverCache {
  private readonly lru?: LRUCache<string, RemoteAnswer>;
  private readonly inflight = new Map<string, Promise<RemoteAnswer>>();

  constructor(o: DiscoverCacheOptions) {
    if (o.ttlMs > 0) {
      this.lru = new LRUCache({ max: o.entries, maxSize: o.maxBytes, maxEntrySize: Math.max(1, Math.floor(o.maxBytes / 8)), ttl: o.ttlMs, sizeCalculation: (v, k) => answerBytes(k, v) });
    }
  }

  /** The cached answer for `key`, else `ask()`'s (shared with concurrent callers), kept if it succeeds. */
  async get(key: string, ask: () => Promise<RemoteAnswer>, bypass = false): Promise<{ answer: RemoteAnswer; cached: boolean }> {
    if (!this.lru) return { answer: await ask(), cached: false };
    if (!bypass) {
      const hit = this.lru.get(key);
      if (hit) return { answer: hit, cached: true };
      const pending = this.inflight.get(key);
      if (pending) return { answer: await pending, cached: false };
    }
    const p = ask();
    this.inflight.set(key, p);
    try {
      const answer = await p;
      this.lru.set(key, answer);
      return { answer, cached: false };
    } finally {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    }
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}

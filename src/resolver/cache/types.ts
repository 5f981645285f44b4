// The resolver cache: what is stored and the interface every tier implements.
// Entries carry absolute times (ms since the epoch, wall clock, so that nodes sharing
// Redis agree) so TTLs count down wherever the entry is read.
import type { NoErrorAnswer, NxDomainAnswer, Referral } from '../types.js';

interface Times {
  /** The TTL the entry was stored with (seconds, after the caps). */
  ttl: number;
  /** When it stops being fresh. */
  expiresAt: number;
  /** Until when it may still be served stale; a store drops it after that. */
  staleUntil: number;
  /** Zones asked when it was learnt (the `path` of answers served from cache). */
  path: string[];
}

export type CacheEntry =
  | (Times & { kind: 'answer'; value: NoErrorAnswer })
  | (Times & { kind: 'negative'; value: NxDomainAnswer })
  | (Times & { kind: 'referral'; value: Referral });

export type EntryKind = CacheEntry['kind'];

/**
 * A cache tier. Implementations never throw: a failing backend is a miss on read and a
 * no-op on write, so the resolver keeps answering from its other sources.
 */
export interface ResolverCache {
  readonly name: string;
  /** The entry, fresh or stale; undefined once past `staleUntil` or never stored. */
  get(key: string): Promise<CacheEntry | undefined>;
  /** The in-process part of get(), without a microtask; absent on tiers that are all remote. */
  peek?(key: string): CacheEntry | undefined;
  /**
   * `wireBytes`, when given, is the size of the answer the entry was learnt from (the body
   * read, capped by the peer client): the in-process tier bounds its bytes by it instead of
   * serialising the entry again (the entry keeps a subset of those bytes, plus `path`).
   */
  set(key: string, entry: CacheEntry, wireBytes?: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
  /** For tiers behind a network: 'up' when they are being used right now. */
  state?(): 'up' | 'down';
}

export const answerKey = (name: string) => `ans:${name}`;
export const referralKey = (zone: string) => `ref:${zone}`;

export function isFresh(entry: CacheEntry, now: number): boolean {
  return now < entry.expiresAt;
}

/** Remaining TTL in whole seconds, rounded up so a fresh entry never shows 0. */
export function remainingTtl(entry: CacheEntry, now: number): number {
  return Math.max(0, Math.ceil((entry.expiresAt - now) / 1000));
}

/** A cheap shape check for entries read back from a shared store. */
export function looksLikeEntry(x: unknown): x is CacheEntry {
  if (!x || typeof x !== 'object') return false;
  const e = x as Record<string, unknown>;
  return (
    (e.kind === 'answer' || e.kind === 'negative' || e.kind === 'referral') &&
    typeof e.ttl === 'number' && typeof e.expiresAt === 'number' && typeof e.staleUntil === 'number' &&
    Array.isArray(e.path) && !!e.value && typeof e.value === 'object'
  );
}

/**
 * What an entry costs, for byte bounds: its serialised size (UTF-16 code units, close to
 * bytes for this ASCII-heavy JSON) plus the key. A walk stores a few entries, so one
 * JSON.stringify each is cheap next to the request that produced them.
 */
export function entryBytes(key: string, entry: CacheEntry, wireBytes?: number): number {
  if (wireBytes !== undefined && wireBytes >= 0) return key.length + wireBytes + ENTRY_OVERHEAD + pathBytes(entry.path);
  return key.length + JSON.stringify(entry).length;
}

/** What an entry adds to the answer it was learnt from: kind, times, TTL, source (JSON). */
const ENTRY_OVERHEAD = 160;

function pathBytes(path: string[]): number {
  let n = 0;
  for (const z of path) n += z.length + 3;
  return 2 * n; // (the answer's own `path` and the entry's)
}

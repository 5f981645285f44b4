// The recursive resolver (SPEC §3 "Recursion"). A query goes through these stages, in
// this order, and the first that can answer does:
//
//   1. local    names in this node's own zone: answered from the zone's data
//               (a name under one of our delegations falls through: it needs a walk)
//   2. cache    a fresh answer or negative answer: served with its remaining TTL;
//               a hit in the last `prefetchFraction` of the TTL refreshes it in the background
//   3. stale    an expired entry whose refresh failed moments ago: served stale at once
//               (RFC 8767 stale-refresh-time), no upstream hammering
//   4. walk     resolve from the closest enclosing zone (walk.ts); identical in-flight
//               queries share one walk
//   5. stale    the walk failed, or is slower than `staleAfterMs` while an expired entry
//               within `staleMaxSeconds` exists: that entry is served (source "stale",
//               TTL `staleTtl`) and the walk carries on in the background to refresh it
//
// `path` of a cache or stale answer is the path of the walk that learnt it.
import { LRUCache } from 'lru-cache';
import { StewardError } from '../errors/index.js';
import type { CounterChild, Metrics } from '../metrics/index.js';
import { isWithin, normalizeName } from '../names/index.js';
import type { RegionEndpoint } from '../records/types.js';
import { OUTSIDE, type Audience } from '../records/visibility.js';
import { answerAuthoritatively, outsideView } from './authoritative.js';
import { answerKey, remainingTtl, type CacheEntry, type ResolverCache } from './cache/types.js';
import { resolverLimits, type ResolverLimits } from './options.js';
import type { ResolveAnswer, ResolveResult, TraceStep, ZoneView } from './types.js';
import { walk, type Asker } from './walk.js';

export interface ResolverDeps {
  view: ZoneView;
  /** Owned by the resolver from now on: close() closes it. */
  cache: ResolverCache;
  /** Owned by the resolver too when it has a close(). */
  upstream: Asker & { close?: () => Promise<void> };
  metrics?: Metrics;
  limits?: Partial<ResolverLimits>;
  rootHints?: RegionEndpoint[];
  now?: () => number;
  /** Failures of background work (prefetch, refresh after a stale answer); default: ignored. */
  onBackgroundError?: (err: unknown, name: string) => void;
}

export interface ResolveOptions {
  trace?: boolean;
  /**
   * Who asks (src/records/visibility.ts): this zone's own records are answered from the
   * view that audience sees — an internal record is NXDOMAIN to anyone outside. Default
   * inside (in-process callers); the HTTP layer always says.
   */
  audience?: Audience;
}

export interface ResolverStats {
  walks: number;
  coalesced: number;
  prefetches: number;
  staleServed: number;
}

export interface Resolver {
  resolve(fqid: string, opts?: ResolveOptions): Promise<ResolveResult>;
  /**
   * Stages 1 and 2 without waiting: the answer when this zone has it or the in-process
   * cache tier holds it fresh, else undefined (then call resolve(), which counts the miss).
   * The same answer, metrics and prefetch as resolve(), minus its promises — the hot path.
   */
  resolveNow(fqid: string, opts?: ResolveOptions): ResolveResult | undefined;
  /** Counters since start, for diagnostics and tests. */
  stats(): ResolverStats;
  /** Which cache tiers are in use, and whether the shared one (Redis) is up right now. */
  cacheState(): { cache: string; shared?: 'up' | 'down' };
  /** Lets walks in flight finish (up to ~1.5 s), then closes upstream and cache. */
  close(): Promise<void>;
}

interface Flight {
  promise: Promise<ResolveAnswer>;
  steps: TraceStep[];
}

type AnswerEntry = Extract<CacheEntry, { kind: 'answer' | 'negative' }>;

const STALE_TIMER = Symbol('stale-timer');

export function createResolver(deps: ResolverDeps): Resolver {
  const { view, cache, upstream, metrics, rootHints, now = Date.now, onBackgroundError } = deps;
  const limits = resolverLimits(deps.limits);
  const walkDeps = { view, cache, upstream, limits, metrics, rootHints, now };
  const seenFromOutside = outsideView(view);
  const flights = new Map<string, Flight>();
  const refreshFailedUntil = new LRUCache<string, number>({ max: 10_000 });
  const stats: ResolverStats = { walks: 0, coalesced: 0, prefetches: 0, staleServed: 0 };
  let closed = false;

  /** Stage 4: one walk per name at a time; later identical queries join it. */
  function flight(name: string): Flight {
    const current = flights.get(name);
    if (current) {
      stats.coalesced++;
      return current;
    }
    stats.walks++;
    const steps: TraceStep[] = [];
    const promise = walk(name, walkDeps, steps).finally(() => flights.delete(name));
    promise.then(
      () => refreshFailedUntil.delete(name),
      () => limits.staleRefreshMs > 0 && refreshFailedUntil.set(name, now() + limits.staleRefreshMs),
    );
    const f = { promise, steps };
    flights.set(name, f);
    return f;
  }

  function background(name: string, f: Flight) {
    f.promise.catch((err) => onBackgroundError?.(err, name));
  }

  const traced = (err: unknown, steps: TraceStep[]): unknown =>
    err instanceof StewardError ? new StewardError(err.code, err.message, { ...err.extra, trace: [...steps] }, err.status) : err;

  const withTrace = (answer: ResolveAnswer, steps: TraceStep[], opts: ResolveOptions): ResolveResult =>
    opts.trace ? { ...answer, trace: [...steps] } : answer;

  /** Hit counters by entry kind, looked up once (this runs for every cache hit). */
  const hits: Partial<Record<AnswerEntry['kind'], CounterChild>> = {};

  function fromCache(e: AnswerEntry, t: number): ResolveAnswer {
    if (metrics) (hits[e.kind] ??= metrics.cacheHits.child({ kind: e.kind })).inc();
    return { ...e.value, ttl: remainingTtl(e, t), source: 'cache', path: e.path };
  }

  function stale(e: AnswerEntry, steps: TraceStep[], opts: ResolveOptions, err?: unknown): ResolveResult {
    stats.staleServed++;
    metrics?.cacheStale.inc({ kind: e.kind });
    const answer: ResolveAnswer = { ...e.value, ttl: limits.staleTtl, source: 'stale', path: e.path };
    const why = err instanceof Error ? err.message : err === undefined ? `no answer within ${limits.staleAfterMs} ms` : String(err);
    return withTrace(answer, [...steps, { kind: 'stale', zone: e.value.zone, outcome: e.value.status, ttl: limits.staleTtl, error: why }], opts);
  }

  function checkName(input: string): string {
    if (closed) throw new StewardError('SERVFAIL', 'resolver is closed');
    const name = normalizeName(input);
    if (!isWithin(name, view.rootDomain)) {
      throw new StewardError('NOT_AUTHORITATIVE', `${name} is not under the root domain ${view.rootDomain}`);
    }
    return name;
  }

  /** Stage 1: our own zone's answer (a name under one of our delegations needs a walk). */
  function local(name: string, opts: ResolveOptions): ResolveResult | undefined {
    if (!isWithin(name, view.zone)) return undefined;
    const answer = answerAuthoritatively(opts.audience === OUTSIDE ? seenFromOutside : view, name);
    if (answer.status === 'REFERRAL') return undefined;
    return opts.trace ? withTrace(answer, [{ kind: 'local', zone: view.zone, outcome: answer.status, ttl: answer.ttl }], opts) : answer;
  }

  /** An answer entry still within its stale window (fresh or not). */
  const usable = (got: CacheEntry | undefined, t: number): AnswerEntry | undefined =>
    got && got.kind !== 'referral' && got.staleUntil > t ? got : undefined;

  /** Stage 2: a fresh cached answer, refreshed in the background near the end of its TTL. */
  function fresh(name: string, e: AnswerEntry | undefined, t: number, opts: ResolveOptions): ResolveResult | undefined {
    if (!e || e.expiresAt <= t) return undefined;
    const answer = fromCache(e, t);
    if (e.expiresAt - t <= e.ttl * 1000 * limits.prefetchFraction && !flights.has(name)) {
      stats.prefetches++;
      background(name, flight(name));
    }
    // (no trace step is built unless asked for: this runs for every cache hit)
    return opts.trace ? withTrace(answer, [{ kind: 'cache', zone: e.value.zone, outcome: e.value.status, ttl: answer.ttl }], opts) : answer;
  }

  function resolveNow(input: string, opts: ResolveOptions = {}): ResolveResult | undefined {
    if (!cache.peek) return undefined;
    const name = checkName(input);
    const t = now();
    return local(name, opts) ?? fresh(name, usable(cache.peek(answerKey(name)), t), t, opts);
  }

  async function resolve(input: string, opts: ResolveOptions = {}): Promise<ResolveResult> {
    const name = checkName(input);

    // 1. local
    const own = local(name, opts);
    if (own) return own;

    // 2. cache
    const t = now();
    const e = usable(await cache.get(answerKey(name)), t);
    const hit = fresh(name, e, t, opts);
    if (hit) return hit;
    metrics?.cacheMisses.inc({ kind: 'answer' });

    // 3. stale, refresh failed moments ago
    if (e && (refreshFailedUntil.get(name) ?? 0) > t) {
      return stale(e, [], opts, 'refresh failed moments ago; not retrying yet');
    }

    // 4. walk
    const f = flight(name);
    // (a failed walk asked for with trace carries its steps in the problem: where it failed)
    if (!e) return opts.trace ? withTrace(await f.promise.catch((err) => Promise.reject(traced(err, f.steps))), f.steps, opts) : f.promise;

    // 5. stale, walk failed or slow
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<typeof STALE_TIMER>((r) => (timer = setTimeout(r, limits.staleAfterMs, STALE_TIMER)));
    try {
      const res = await Promise.race([f.promise, slow]);
      if (res !== STALE_TIMER) return withTrace(res, f.steps, opts);
      background(name, f);
      return stale(e, f.steps, opts);
    } catch (err) {
      return stale(e, f.steps, opts, err);
    } finally {
      clearTimeout(timer);
    }
  }

  async function close() {
    if (closed) return;
    closed = true;
    // Walks in flight get a moment to finish and store what they learnt; closing the
    // upstream then cuts off the rest (their callers get an error, nothing hangs).
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((r) => (timer = setTimeout(r, 1_000)));
    await Promise.race([Promise.allSettled([...flights.values()].map((f) => f.promise)), grace]);
    clearTimeout(timer);
    await upstream.close?.();
    await Promise.allSettled([...flights.values()].map((f) => f.promise));
    await cache.close();
  }

  return {
    resolve,
    resolveNow,
    close,
    stats: () => ({ ...stats }),
    cacheState: () => ({ cache: cache.name, ...(cache.state ? { shared: cache.state() } : {}) }),
  };
}

// Resolver settings. The shared knobs (TTL caps, stale window, timeouts) come from
// config DEFAULTS so one place documents them; the rest are resolver internals whose
// defaults follow what DNS resolvers (BIND, Unbound) ship with.
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';

export interface ResolverLimits {
  /** Floor and ceiling for positive and referral TTLs (seconds). */
  minTtl: number;
  maxTtl: number;
  /** Ceiling for negative (NXDOMAIN) TTLs (seconds). */
  maxNegativeTtl: number;
  /** How long past expiry an entry may still be served stale (RFC 8767 max-stale, seconds). */
  staleMaxSeconds: number;
  /** TTL put on stale answers (RFC 8767 recommends 30 s). */
  staleTtl: number;
  /** Client-facing timeout: past it, a stale answer is returned while resolution goes on. */
  staleAfterMs: number;
  /** After a failed refresh, serve stale at once for this long (RFC 8767 stale-refresh-time). */
  staleRefreshMs: number;
  /** Longest chain of zones asked for one name. */
  maxReferrals: number;
  /** Longest a walk may take in all (every referral, every retry) before UPSTREAM_TIMEOUT. */
  deadlineMs: number;
  /** A hit in the last fraction of an entry's TTL refreshes it in the background. */
  prefetchFraction: number;
}

export interface UpstreamOptions {
  /** Per-request timeout (connect, headers and body). */
  timeoutMs: number;
  /** Endpoints of one zone tried per question before giving up. */
  maxAttempts: number;
  /** Consecutive failures after which an endpoint is held down ... */
  failuresBeforeHoldDown: number;
  /** ... for this long. */
  holdDownMs: number;
  /** Share of questions sent to a random live endpoint instead of the fastest. */
  exploreRate: number;
  /** Factor applied to the SRTT of endpoints not chosen, so slow ones get retried. */
  decay: number;
  /** Largest answer body read from an upstream (cut off while streaming past it). */
  maxBodyBytes: number;
}

export const DEFAULT_LIMITS: ResolverLimits = {
  minTtl: DEFAULTS.cache.minTtl,
  maxTtl: DEFAULTS.cache.maxTtl,
  maxNegativeTtl: DEFAULTS.cache.maxNegativeTtl,
  staleMaxSeconds: DEFAULTS.cache.staleMaxSeconds,
  staleTtl: DEFAULTS.cache.staleTtl,
  staleAfterMs: DEFAULTS.upstream.staleAfterMs,
  staleRefreshMs: 30_000,
  maxReferrals: DEFAULTS.upstream.maxReferrals,
  deadlineMs: DEFAULTS.upstream.deadlineMs,
  prefetchFraction: 0.1,
};

export const DEFAULT_UPSTREAM: UpstreamOptions = {
  timeoutMs: DEFAULTS.upstream.timeoutMs,
  maxAttempts: 3,
  failuresBeforeHoldDown: 3,
  holdDownMs: 30_000,
  exploreRate: 0.05,
  decay: 0.98,
  // The largest valid record (schema limits, a 64 KiB JWS) is well under this.
  maxBodyBytes: DEFAULTS.upstream.maxBodyBytes,
};

function check<T extends object>(what: string, merged: T): T {
  for (const [k, v] of Object.entries(merged)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new StewardError('BAD_CONFIG', `${what}.${k} must be a non-negative number, got ${JSON.stringify(v)}`);
    }
  }
  return merged;
}

export function resolverLimits(partial: Partial<ResolverLimits> = {}): ResolverLimits {
  const l = check('resolver', { ...DEFAULT_LIMITS, ...partial });
  if (l.minTtl > l.maxTtl) throw new StewardError('BAD_CONFIG', `resolver.minTtl (${l.minTtl}) exceeds maxTtl (${l.maxTtl})`);
  if (!(l.deadlineMs > 0)) throw new StewardError('BAD_CONFIG', 'resolver.deadlineMs must be positive');
  if (l.maxReferrals < 1) throw new StewardError('BAD_CONFIG', 'resolver.maxReferrals must be at least 1');
  if (l.prefetchFraction > 1) throw new StewardError('BAD_CONFIG', 'resolver.prefetchFraction must be between 0 and 1');
  return l;
}

export function upstreamOptions(partial: Partial<UpstreamOptions> = {}): UpstreamOptions {
  const o = check('upstream', { ...DEFAULT_UPSTREAM, ...partial });
  if (o.timeoutMs === 0 || o.maxAttempts < 1) throw new StewardError('BAD_CONFIG', 'upstream.timeoutMs and maxAttempts must be positive');
  if (o.exploreRate > 1 || o.decay > 1) throw new StewardError('BAD_CONFIG', 'upstream.exploreRate and decay must be between 0 and 1');
  return o;
}

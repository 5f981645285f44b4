// Publish rates (per key, per client) on rate-limiter-flexible: fixed windows of
// `per_seconds` that start at a key's first request, counted in Redis when the node has
// it (so every node of a site shares them) and in process otherwise. A Redis that is down
// or slow (200 ms) does not fail the request and does not lift the limit: each call then
// counts in the in-process insurance limiter until Redis answers again (the outage is
// logged once by the caller's onRedisState).
import type { RedisClient } from '../redis/index.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { StewardError, type ErrorCode } from '../errors/index.js';
import type { Rate } from '../zonefile/index.js';

export interface RateOptions {
  /** What is limited, for the problem's detail ("publishes per key"). */
  what: string;
  rate: Rate;
  /** Key prefix in Redis: zone and limit (`steward:rl:<zone>:publish-key`). */
  prefix: string;
  redis?: RedisClient;
  code?: ErrorCode;
}

export class RateLimit {
  private readonly limiter?: RateLimiterAbstract;

  constructor(private readonly opts: RateOptions) {
    const { rate, prefix, redis } = opts;
    if (rate === false) return;
    const base = { points: rate.points, duration: rate.per_seconds, keyPrefix: prefix };
    const memory = new RateLimiterMemory(base);
    this.limiter = redis
      ? new RateLimiterRedis({ ...base, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory })
      : memory;
  }

  /** Counts one request for `key`; throws RATE_LIMITED (with retry_after, s) when over. */
  async take(key: string): Promise<void> {
    const { limiter, opts } = this;
    if (!limiter || opts.rate === false) return;
    try {
      await limiter.consume(key);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res; // (the insurance limiter never errs)
      const retry = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw new StewardError(
        opts.code ?? 'RATE_LIMITED',
        `too many ${opts.what}: at most ${opts.rate.points} per ${opts.rate.per_seconds} s; retry in ${retry} s`,
        { retry_after: retry, limit: opts.rate.points, window_s: opts.rate.per_seconds },
      );
    }
  }
}

// The one way the product connects to Redis (resolver cache tier, quota counters, nonce
// store): fail fast, never queue. No offline queue (a command while disconnected fails at
// once), a short command timeout, no retries of a command, and ioredis reconnecting by
// itself with capped backoff. Up/down changes are reported once each.
//
// REDIS_URL picks the deployment (see parseRedisUrl): one server, Redis Sentinel (ioredis
// asks the sentinels for the current master and follows failovers) or Redis Cluster
// (ioredis follows slots and MOVED/ASK). Every command the product sends names one key
// (GET/SET/DEL/PTTL, SET NX EX, the rate limiter's MULTI and script on one key), so
// nothing is cross-slot; a future multi-key command must put its keys under one hash tag
// (`steward:{zone}:...`).
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisTarget } from './url.js';

export { parseRedisUrl, describeRedis, redact, type RedisTarget } from './url.js';

/** A connection to one server, a Sentinel-managed master or a Cluster: the same commands. */
export type RedisClient = Redis | Cluster;

export interface FailFastRedisOptions {
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
  /** Told on every change: the first connect or failure, then each time Redis goes or comes back. */
  onStateChange?: (up: boolean, err?: Error) => void;
}

export function failFastRedis(url: string, { commandTimeoutMs = 200, connectTimeoutMs = 1_000, maxReconnectDelayMs = 2_000, onStateChange }: FailFastRedisOptions = {}): RedisClient {
  const target = parseRedisUrl(url);
  const backoff = (times: number) => Math.min(50 * 2 ** Math.min(times, 10), maxReconnectDelayMs);
  const common = { commandTimeout: commandTimeoutMs, connectTimeout: connectTimeoutMs, maxRetriesPerRequest: 0 } satisfies RedisOptions;
  const client = connect(target, common, backoff, connectTimeoutMs);
  let up: boolean | undefined;
  const mark = (now: boolean, err?: Error) => {
    if (now === up) return;
    up = now;
    onStateChange?.(now, err);
  };
  // Without an 'error' listener ioredis' connection errors would be unhandled events.
  client.on('error', (err: Error) => mark(false, err));
  client.on('ready', () => mark(true));
  client.on('close', () => mark(false));
  if (client instanceof Cluster) client.on('node error', () => {}); // one node's trouble: 'error' says when it matters
  return client;
}

function connect(t: RedisTarget, common: RedisOptions, backoff: (times: number) => number, connectTimeoutMs: number): RedisClient {
  const auth = { username: t.username, password: t.password, ...(t.tls ? { tls: {} } : {}) };
  if (t.kind === 'single') {
    return new Redis(t.url, { ...common, enableOfflineQueue: false, retryStrategy: backoff, lazyConnect: false });
  }
  if (t.kind === 'sentinel') {
    return new Redis({
      ...common,
      ...auth,
      sentinels: t.nodes,
      name: t.master,
      db: t.db,
      sentinelPassword: t.sentinelPassword,
      ...(t.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      enableOfflineQueue: false,
      retryStrategy: backoff,
      sentinelRetryStrategy: backoff,
      lazyConnect: false,
    });
  }
  return new Cluster(t.nodes, {
    enableOfflineQueue: false,
    clusterRetryStrategy: backoff,
    slotsRefreshTimeout: connectTimeoutMs,
    redisOptions: { ...common, ...auth },
    lazyConnect: false,
  });
}

/** Quits politely when connected, else drops the connection attempt. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

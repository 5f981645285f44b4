// The one way the product connects to Redis (resolver cache tier, quota counters, nonce
// store): fail fast, never queue. No offline queue (a command while disconnected fails at
// once), a short command timeout, no retries of a command, and ioredis reconnecting by
// itself with capped backoff. Up/down changes are reported once each.
import { Redis } from 'ioredis';

export interface FailFastRedisOptions {
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxReconnectDelayMs?: number;
  /** Told on every change: the first connect or failure, then each time Redis goes or comes back. */
  onStateChange?: (up: boolean, err?: Error) => void;
}

export function failFastRedis(url: string, { commandTimeoutMs = 200, connectTimeoutMs = 1_000, maxReconnectDelayMs = 2_000, onStateChange }: FailFastRedisOptions = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), maxReconnectDelayMs),
    lazyConnect: false,
  });
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
  return client;
}

/** Quits politely when connected, else drops the connection attempt. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

// Quotas for one zone (zone policy `limits`, defaults in src/config): who may publish how
// often and how many names a key may hold, and how fast one client may read.
//   1. publishPerClient: before the body is read or a signature checked (cheap refusal);
//   2. publishPerKey: once the signature names the key, before anything is stored;
//   3. names: a new name by a key that holds names_per_key already is refused;
//   4. reads: synchronous token buckets per client, on the fast path and in hono.
// Publish counters live in Redis when the node has it (shared by the nodes of a site),
// else in process; reads are always in process (no round trip per answer).
import type { IncomingMessage } from 'node:http';
import { failFastRedis, type RedisClient } from '../redis/index.js';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import type { ZoneStore } from '../store/zone-store.js';
import type { LimitsPolicy } from '../zonefile/index.js';
import { ClientIdentity } from './client.js';
import { NameCounts } from './names.js';
import { RateLimit } from './rates.js';
import { TokenBuckets } from './token-bucket.js';

export { clientKey, ClientIdentity } from './client.js';

export interface QuotaOptions {
  zone: string;
  limits: LimitsPolicy;
  store: ZoneStore;
  redisUrl?: string;
  log?: Logger;
  /** Asked once if the quota uses Redis: returns the callback told of its connection's state (RedisStatus). */
  onRedisState?: () => ((up: boolean, err?: Error) => void) | undefined;
  /** Read buckets kept at once (default DEFAULTS.limits.read_clients). */
  readClients?: number;
}

export class Quota {
  readonly clients: ClientIdentity;
  readonly names: NameCounts;
  private readonly perKey: RateLimit;
  private readonly perClient: RateLimit;
  private readonly reads?: TokenBuckets;
  private readonly redis?: RedisClient;
  private readonly namesPerKey: number | false;

  constructor(opts: QuotaOptions) {
    const { zone, limits, log } = opts;
    this.clients = new ClientIdentity(limits.trusted_proxies);
    this.names = new NameCounts(opts.store);
    this.namesPerKey = limits.names_per_key;
    if (opts.redisUrl && (limits.publish_per_key || limits.publish_per_client)) {
      let seen = false;
      const told = opts.onRedisState?.();
      this.redis = failFastRedis(opts.redisUrl, {
        commandTimeoutMs: DEFAULTS.quota.redisCommandTimeoutMs,
        onStateChange: (up, err) => {
          told?.(up, err);
          const first = !seen;
          seen = true;
          if (up && !first) log?.info({ zone }, 'quota: Redis is back; publish counters are shared again');
          else if (!up) log?.warn({ zone, err: err?.message }, 'quota: Redis is unreachable; publish limits count in this process until it is back');
        },
      });
    }
    const prefix = `steward:rl:${zone}`;
    this.perKey = new RateLimit({ what: 'publishes by this key', rate: limits.publish_per_key, prefix: `${prefix}:publish-key`, redis: this.redis });
    this.perClient = new RateLimit({ what: 'publishes from this client', rate: limits.publish_per_client, prefix: `${prefix}:publish-client`, redis: this.redis });
    const reads = limits.reads_per_client;
    if (reads) this.reads = new TokenBuckets(reads.points, reads.per_seconds, opts.readClients ?? DEFAULTS.limits.read_clients);
  }

  publishPerClient(client: string): Promise<void> {
    return this.perClient.take(client);
  }

  publishPerKey(fingerprint: string): Promise<void> {
    return this.perKey.take(fingerprint);
  }

  /**
   * Reserves a new name for a key, synchronously (call it where nothing else runs before
   * the store's put); give it back with releaseName() if the publish fails.
   */
  reserveName(fingerprint: string, label: string): void {
    const max = this.namesPerKey;
    if (max === false || this.names.reserve(fingerprint, label, max)) return;
    throw new StewardError('QUOTA_EXCEEDED', `key ${fingerprint} already holds ${this.names.count(fingerprint)} names in this zone, the most one key may (names_per_key ${max}); unpublish one or ask the zone's operator`, {
      fingerprint,
      limit: max,
    });
  }

  releaseName(fingerprint: string, label: string): void {
    this.names.unreserve(fingerprint, label);
  }

  /** A read by `req`'s client: 0 when allowed, else seconds until it would be. Synchronous. */
  read(req: Pick<IncomingMessage, 'socket' | 'headers'>): number {
    const reads = this.reads;
    if (reads === undefined) return 0;
    if (this.clients.trustsProxies) return reads.take(this.clients.of(req));
    return reads.takeForSocket(req.socket);
  }

  async close(): Promise<void> {
    if (this.redis) this.redis.disconnect();
  }
}

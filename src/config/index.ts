// The only module that reads process.env. Everything else gets its settings passed in.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface EnvConfig {
  registry?: string; // STEWARD_REGISTRY: the client's default registry URL
  redisUrl?: string; // REDIS_URL: shared cache / nonce store
  dataDir?: string; // STEWARD_DATA_DIR: where a node keeps its data
  certsDir?: string; // STEWARD_CERTS_DIR: the demo federation's certificate material
  logLevel: string; // LOG_LEVEL
  cacheDir: string; // XDG_CACHE_HOME, else $HOME/.cache: the client's small caches (geo-aware choice)
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  return {
    registry: env.STEWARD_REGISTRY || undefined,
    redisUrl: env.REDIS_URL || undefined,
    dataDir: env.STEWARD_DATA_DIR || undefined,
    certsDir: env.STEWARD_CERTS_DIR || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    cacheDir: env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'),
  };
}

export const DEFAULTS = {
  // SPEC §5: registry certificates, signed requests, CRLs.
  identity: {
    certificateLifetimeSeconds: 365 * 86_400,
    /** Demo certificate material (zone files without a registered identity), relative to the zones directory's parent. */
    demoCertsDir: 'certs',
    crlRefreshMs: 5 * 60_000,
    /** How often a registered node checks whether two-thirds of its certificate's lifetime has passed. */
    renewCheckMs: 60_000,
  },
  rootDomain: 'steward-registry.org',
  maxBodyBytes: 64 * 1024,
  ttl: { agent: 300, referral: 3600, negative: 60 },
  cache: { minTtl: 5, maxTtl: 86_400, maxNegativeTtl: 300, staleMaxSeconds: 86_400, staleTtl: 30, entries: 100_000, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 64 * 1024 },
  upstream: { timeoutMs: 2_000, staleAfterMs: 1_800, deadlineMs: 6_000, maxReferrals: 16, maxBodyBytes: 256 * 1024 },
  // What other registries answer to discover and /v1/zone.
  peer: { timeoutMs: 2_000, maxBodyBytes: 1024 * 1024 },
  // Other registries' discover answers are reused this long (src/discover/remote-cache.ts),
  // bounded by entries and bytes; a request with Cache-Control: no-cache asks afresh.
  discover: { ttlMs: 10_000, entries: 10_000, maxBytes: 16 * 1024 * 1024 },
  // SPEC §6: replicas of a zone compare digests every 5 minutes by default.
  replicas: { antiEntropySeconds: 300 },
  // Federation health (src/health/probe.ts): a peer no exchange has reported on for
  // probeMs gets a GET /healthz; its answer marks it up or down (alerts, metrics).
  health: { probeMs: 30_000, probeTimeoutMs: 2_000, probeMaxBodyBytes: 16 * 1024, probeConcurrency: 16 },
  // Group commit needs no timer: appends that arrive during a flush share the next one.
  store: { snapshotEvery: 100_000 },
  // Zone policy `limits` (src/quota): what one key or one client may do. Rates are
  // `points` per `per_seconds` window; a zone file may set any of them to false (off).
  limits: {
    publish_per_key: { points: 60, per_seconds: 60 },
    publish_per_client: { points: 300, per_seconds: 60 },
    names_per_key: 1_000,
    reads_per_client: { points: 2_000, per_seconds: 1 },
    /** Peers whose X-Forwarded-For names the client (default: nobody's is believed). */
    trusted_proxies: [] as string[],
    /** Clients with a read bucket at once (the oldest is dropped beyond). */
    read_clients: 100_000,
  },
  // How long a publish waits for the shared (Redis) counter before counting in this
  // process. Publishes are rare next to reads (whose cache gives up after 200 ms), and a
  // counter that timed out may still have counted in Redis: a short limit lets a busy
  // node accept more than the limit across nodes.
  quota: { redisCommandTimeoutMs: 1_000 },
  // The listener (src/http/listener.ts): a slow client is cut off, connections are capped.
  http: {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 10_000, // the whole request, body included: 64 KiB in 10 s at the least
    maxConnections: 10_000,
    maxConnectionsPerClient: 512,
  },
} as const;

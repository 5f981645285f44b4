// The only module that reads process.env. Everything else gets its settings passed in.

export interface EnvConfig {
  registry?: string; // STEWARD_REGISTRY: the client's default registry URL
  redisUrl?: string; // REDIS_URL: shared cache / nonce store
  dataDir?: string; // STEWARD_DATA_DIR: where a node keeps its data
  logLevel: string; // LOG_LEVEL
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  return {
    registry: env.STEWARD_REGISTRY || undefined,
    redisUrl: env.REDIS_URL || undefined,
    dataDir: env.STEWARD_DATA_DIR || undefined,
    logLevel: env.LOG_LEVEL || 'info',
  };
}

export const DEFAULTS = {
  rootDomain: 'steward-registry.org',
  maxBodyBytes: 64 * 1024,
  ttl: { agent: 300, referral: 3600, negative: 60 },
  cache: { minTtl: 5, maxTtl: 86_400, maxNegativeTtl: 300, staleMaxSeconds: 86_400, staleTtl: 30, entries: 100_000, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 64 * 1024 },
  upstream: { timeoutMs: 2_000, staleAfterMs: 1_800, deadlineMs: 6_000, maxReferrals: 16, maxBodyBytes: 256 * 1024 },
  // What other registries answer to discover and /v1/zone.
  peer: { timeoutMs: 2_000, maxBodyBytes: 1024 * 1024 },
  // Group commit needs no timer: appends that arrive during a flush share the next one.
  store: { snapshotEvery: 100_000 },
} as const;

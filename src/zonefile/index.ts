// Zone files: read, validate (naming the bad field), and turn into a ZoneConfig.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { DEFAULTS } from '../config/index.js';
import { DEFAULT_INTERNAL_CLIENTS, parseCidr } from '../records/visibility.js';
import { StewardError } from '../errors/index.js';
import { isWithin, namespaceOf, normalizeName } from '../names/index.js';
import type { Delegation, RegionEndpoint } from '../records/types.js';
import { zoneFileSchema } from './schema.js';

const validate = new Ajv({ allErrors: false, strict: false }).compile(zoneFileSchema);

export interface ZoneConfig {
  zone: string;
  rootDomain: string;
  namespace: string;
  parent?: { zone: string; endpoints: RegionEndpoint[] };
  listen: { host: string; port: number };
  region: string;
  /** `delay_ms`: every answer is held back this long (regions simulated on one machine); 0 = none. */
  delayMs?: number;
  /** Mutual TLS material (file paths): serve HTTPS only, client certificates required. */
  tls?: { cert: string; key: string };
  replicas: RegionEndpoint[];
  /** Anti-entropy round interval between the zone's replicas (zone file anti_entropy_seconds). */
  antiEntropySeconds: number;
  delegations: Delegation[];
  agents: unknown[];
  /** How `federation up` joins the zone to its parent (zone file `join`): `register` = POST /v1/register at start. */
  join: 'delegation' | 'register';
  policy: {
    publishers: 'any' | string[];
    verified: string[];
    ttl: { agent: number; referral: number; negative: number };
    limits: LimitsPolicy;
    register: 'open' | 'token';
    certificateLifetimeSeconds: number;
    /** `policy.upstreams.allow_private`: learnt endpoints may be loopback/private addresses. */
    upstreams: { allowPrivate: boolean };
    /** `policy.internal_clients`: CIDR blocks of the clients that see internal records (src/records/visibility.ts). */
    internalClients: string[];
    /** `policy.federation`: push to the parent (default true), pull children every N seconds (default 6 h). */
    federation: { push: boolean; pullIntervalSeconds: number };
  };
  source?: string;
}

/** `points` per `per_seconds`; false = no limit. */
export type Rate = false | { points: number; per_seconds: number };
export interface LimitsPolicy {
  publish_per_key: Rate;
  publish_per_client: Rate;
  names_per_key: number | false;
  reads_per_client: Rate;
  trusted_proxies: string[];
}

const badField = (source: string, field: string, why: string): never => {
  throw new StewardError('BAD_CONFIG', `${source}: field ${field || '(top level)'} ${why}`);
};

function internalClients(list: string[] | undefined, source: string): string[] {
  if (list === undefined) return [...DEFAULT_INTERNAL_CLIENTS];
  for (const [i, c] of list.entries()) {
    try {
      parseCidr(c);
    } catch (err) {
      badField(source, `/policy/internal_clients/${i}`, (err as Error).message);
    }
  }
  return [...list];
}

/** Validates parsed zone-file JSON and derives the config a node runs with. */
export function parseZoneFile(json: unknown, source = 'zone file'): ZoneConfig {
  if (!validate(json)) {
    const e = validate.errors![0]!;
    const extra = e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : '';
    const missing = e.params && 'missingProperty' in e.params ? ` "${String(e.params.missingProperty)}"` : '';
    return badField(source, e.instancePath || '/', `${e.message}${missing}${extra}`);
  }
  const f = json as any;
  const zone = normalizeName(f.zone);
  const rootDomain = f.root_domain ? normalizeName(f.root_domain) : f.parent ? DEFAULTS.rootDomain : zone;
  if (!isWithin(zone, rootDomain)) badField(source, '/zone', `must be under the root domain ${rootDomain}`);
  const namespace = namespaceOf(zone, rootDomain);
  if (zone !== rootDomain && !f.parent) badField(source, '/parent', `is required for a zone below the root (${zone})`);
  if (f.parent && !isWithin(zone, f.parent.zone)) badField(source, '/parent/zone', `${f.parent.zone} does not enclose ${zone}`);
  for (const [i, d] of (f.delegations ?? []).entries()) {
    const child = d.zone as string;
    if (!child.endsWith(`.${zone}`) || child.slice(0, -(zone.length + 1)).includes('.')) {
      badField(source, `/delegations/${i}/zone`, `${child} is not exactly one label below ${zone}`);
    }
  }
  const ttl = { ...DEFAULTS.ttl, ...(f.policy?.ttl ?? {}) };
  const { read_clients: _, ...limitDefaults } = DEFAULTS.limits;
  const limits: LimitsPolicy = { ...limitDefaults, trusted_proxies: [], ...(f.policy?.limits ?? {}) };
  return {
    zone,
    rootDomain,
    namespace,
    parent: f.parent ? { zone: f.parent.zone, endpoints: f.parent.endpoints ?? [{ url: f.parent.url }] } : undefined,
    listen: { host: f.listen.host ?? '127.0.0.1', port: f.listen.port },
    region: f.region ?? 'local',
    delayMs: f.delay_ms ?? 0,
    tls: f.tls ? { cert: f.tls.cert, key: f.tls.key } : undefined,
    replicas: f.replicas ?? [],
    antiEntropySeconds: f.anti_entropy_seconds ?? DEFAULTS.replicas.antiEntropySeconds,
    delegations: f.delegations ?? [],
    agents: f.agents ?? [],
    join: f.join ?? 'delegation',
    policy: {
      publishers: f.policy?.publishers ?? 'any',
      verified: f.policy?.verified ?? [],
      ttl,
      limits,
      register: f.policy?.register ?? 'open',
      certificateLifetimeSeconds: f.policy?.certificate_lifetime_seconds ?? DEFAULTS.identity.certificateLifetimeSeconds,
      upstreams: { allowPrivate: f.policy?.upstreams?.allow_private === true },
      internalClients: internalClients(f.policy?.internal_clients, source),
      federation: { push: f.policy?.federation?.push !== false, pullIntervalSeconds: f.policy?.federation?.pull_interval_seconds ?? 21_600 },
    },
    source,
  };
}

export function loadZoneFile(path: string): ZoneConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StewardError('BAD_CONFIG', `${path}: cannot read zone file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StewardError('BAD_CONFIG', `${path}: not valid JSON (${(err as Error).message})`);
  }
  const config = parseZoneFile(json, path);
  // TLS paths in a zone file are relative to the file.
  if (config.tls) config.tls = { cert: resolve(dirname(path), config.tls.cert), key: resolve(dirname(path), config.tls.key) };
  return config;
}

export function loadZoneDir(dir: string): ZoneConfig[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new StewardError('BAD_CONFIG', `${dir}: no zone files (*.json)`);
  return files.map((f) => loadZoneFile(join(dir, f)));
}

// Asking other registries: their local discover, and their zone info (to learn the tree).
// Both go through the node's peer client (bounded: timeouts, body cap) and what comes back
// is hostile: each discover result is checked on its own (SPEC §3's result object, the id
// inside the answering registry's subtree, trust finite in [0,1]) and a bad one is dropped
// and counted, never allowed to break the query; /v1/zone answers are checked before
// their parent and delegations are used to find more registries.
import { StewardError } from '../errors/index.js';
import { isWithin, normalizeName } from '../names/index.js';
import { peerOrigin, type PeerClient } from '../peer/index.js';
import { RESOLVER_HEADER } from '../resolver/wire.js';
import type { DiscoverResult, DiscoverSort } from './types.js';

export type PeerResult = Omit<DiscoverResult, 'registry' | 'latency_ms'>;

export interface RemoteOptions {
  timeoutMs: number;
  /** Largest body read from a peer (default DEFAULTS.peer.maxBodyBytes, 1 MiB). */
  maxBodyBytes?: number;
  /** The asking registry's zone, sent as RESOLVER_HEADER on discover questions. */
  asker?: string;
}

const MAX_RESULTS = 1000;
const TOKEN = /^[a-z0-9_.-]{1,64}$/;
const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const str = (x: unknown, max: number): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;

const bad = (why: string): never => {
  throw new StewardError('LAME_ANSWER', why);
};

/** One result from a registry serving `zone`, reduced to SPEC §3's fields; undefined if invalid. */
export function checkResult(x: unknown, zone: string): PeerResult | undefined {
  if (!isObj(x)) return undefined;
  const { id, name, namespace, version, capabilities, trust } = x;
  if (!str(id, 253) || !str(name, 63) || typeof namespace !== 'string' || namespace.length > 253 || !str(version, 256)) return undefined;
  let fqid: string;
  try {
    fqid = normalizeName(id);
  } catch {
    return undefined;
  }
  if (fqid !== id || !isWithin(id, zone) || id === zone || !id.startsWith(`${name}.`)) return undefined;
  if (typeof trust !== 'number' || !Number.isFinite(trust) || trust < 0 || trust > 1) return undefined;
  if (!Array.isArray(capabilities) || capabilities.length > 64 || !capabilities.every((c) => typeof c === 'string' && TOKEN.test(c))) return undefined;
  return { id, name, namespace, version, capabilities: [...capabilities] as string[], trust };
}

export async function remoteLocalDiscover(
  peer: PeerClient,
  baseUrl: string,
  zone: string,
  q: string,
  sort: DiscoverSort,
  limit: number,
  opts: RemoteOptions,
): Promise<{ results: PeerResult[]; dropped: number }> {
  const u = new URL('/v1/discover', baseUrl);
  u.search = new URLSearchParams({ q, scope: 'local', sort, limit: String(limit) }).toString();
  // Asked as a registry: the answering side counts us as outside (internal records never
  // leave their zone), even when both run on loopback.
  const { asker = 'registry', ...call } = opts;
  const { status, json } = await peer.getJson(u, { ...call, headers: { [RESOLVER_HEADER]: asker } });
  const body = isObj(json) ? json : {};
  if (status !== 200 || !Array.isArray(body.results)) {
    const detail = typeof body.detail === 'string' ? body.detail.slice(0, 200) : 'no results array';
    bad(`${u.origin} answered ${status}: ${detail}`);
  }
  const rows = (body.results as unknown[]).slice(0, Math.min(limit, MAX_RESULTS));
  const results: PeerResult[] = [];
  for (const row of rows) {
    const r = checkResult(row, zone);
    if (r) results.push(r);
  }
  return { results, dropped: (body.results as unknown[]).length - results.length };
}

export interface RemoteZoneInfo {
  zone: string;
  parent: { zone: string; endpoints: { url: string; region?: string }[] } | null;
  delegations: { zone: string; endpoints: { url: string; region?: string }[] }[];
}

function endpointsOf(x: unknown, allowPrivate: boolean): { url: string }[] {
  if (!Array.isArray(x)) return [];
  const out: { url: string }[] = [];
  for (const e of x.slice(0, 16)) {
    const o = isObj(e) ? peerOrigin(e.url, { allowPrivate }) : undefined;
    if (o && 'origin' in o) out.push({ url: o.origin });
  }
  return out;
}

function zoneName(x: unknown): string | undefined {
  try {
    return normalizeName(x);
  } catch {
    return undefined;
  }
}

/**
 * `GET /v1/zone` of the registry at `baseUrl`, which we expect to serve `expected`:
 * only a well-formed answer for that zone, and only its parent (enclosing it) and its
 * delegations (one label below it) with acceptable endpoints, are used.
 */
export async function remoteZoneInfo(peer: PeerClient, baseUrl: string, expected: string, opts: RemoteOptions): Promise<RemoteZoneInfo> {
  const u = new URL('/v1/zone', baseUrl);
  const { status, json } = await peer.getJson(u, opts);
  if (status !== 200 || !isObj(json)) return bad(`${u.origin}/v1/zone answered ${status}`);
  const zone = zoneName(json.zone);
  if (zone !== expected) return bad(`${u.origin}/v1/zone is for ${JSON.stringify(String(json.zone).slice(0, 100))}, expected ${expected}`);
  const allowPrivate = peer.allowPrivate;
  let parent: RemoteZoneInfo['parent'] = null;
  if (isObj(json.parent)) {
    const pz = zoneName(json.parent.zone);
    const endpoints = endpointsOf(json.parent.endpoints, allowPrivate);
    if (pz && pz !== zone && isWithin(zone, pz) && endpoints.length > 0) parent = { zone: pz, endpoints };
  }
  const delegations: RemoteZoneInfo['delegations'] = [];
  for (const d of Array.isArray(json.delegations) ? json.delegations.slice(0, 10_000) : []) {
    const dz = isObj(d) ? zoneName(d.zone) : undefined;
    if (!dz || !dz.endsWith(`.${zone}`) || dz.slice(0, -(zone.length + 1)).includes('.')) continue;
    const endpoints = endpointsOf((d as Record<string, unknown>).endpoints, allowPrivate);
    if (endpoints.length > 0) delegations.push({ zone: dz, endpoints });
  }
  return { zone, parent, delegations };
}

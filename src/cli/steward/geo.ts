// --geo-aware: learn a zone's replicas from the registry, time each one (a few concurrent
// probes, the median), and hand back the ones that answered, closest first, so the caller
// can fail over down the list. The ranking is remembered for a while (geo-cache.ts).
import { StewardError } from '../../errors/index.js';
import { exitCodeFor } from './exit.js';
import { GEO_CACHE_MS, forget, recall, remember } from './geo-cache.js';
import type { RegistryClient } from './http.js';
import { clean, fmtMs, str } from './output.js';

export interface Replica {
  url: string;
  region?: string;
  /** Median of the probes that answered; undefined when none did. */
  ms?: number;
  error?: string;
}

export const PROBES = 3;
// A replica slower than this is no candidate for "closest"; don't wait the full timeout.
const PROBE_TIMEOUT_MS = 2_000;

/** The registry's replicas (itself included), measured; printed in the seed's style. */
export async function rankReplicas(client: RegistryClient, base: string, say: (line?: string) => void): Promise<Replica[]> {
  const zoneUrl = `${base}/v1/zone`;
  const zone = (await client.callOk('GET', zoneUrl)).json as Record<string, unknown> | undefined;
  const candidates = replicaList(base, zone);
  say('Measuring latency...');
  const measured = await Promise.all(candidates.map((c) => measure(client, c)));
  const reachable = measured.filter((r) => r.ms !== undefined).sort((a, b) => a.ms! - b.ms!);
  const closest = reachable[0];
  for (const r of measured) {
    const where = `${display(r.url)}${r.region ? ` (${clean(r.region)})` : ''}`;
    const how = r.ms === undefined ? `unreachable (${clean(r.error)})` : fmtMs(r.ms);
    say(`  - ${where}: ${how}${r === closest ? ' ✅ (closest)' : ''}`);
  }
  say();
  if (!closest) {
    throw new StewardError('SERVFAIL', `none of the ${candidates.length} replicas of ${clean(zone?.zone ?? base)} answered`);
  }
  say(`Using: ${display(closest.url)}`);
  say();
  return reachable;
}

function replicaList(base: string, zone: Record<string, unknown> | undefined): Replica[] {
  const out: Replica[] = [{ url: base, region: str(zone?.region) }];
  const replicas = Array.isArray(zone?.replicas) ? zone.replicas : [];
  for (const r of replicas) {
    const raw = str((r as Record<string, unknown> | null)?.url);
    if (!raw) continue;
    let url: string;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
      url = u.href.replace(/\/+$/, '');
    } catch {
      continue; // a malformed replica entry is the zone's problem; the others still work
    }
    const region = str((r as Record<string, unknown>).region);
    const same = out.find((o) => o.url === url);
    if (same) same.region ??= region;
    else out.push({ url, region });
  }
  return out;
}

/** A few concurrent GET /healthz; the median shrugs off one slow probe on a busy machine. */
async function measure(client: RegistryClient, replica: Replica): Promise<Replica> {
  const times: number[] = [];
  let error: string | undefined;
  const probe = async () => {
    try {
      const res = await client.call('GET', `${replica.url}/healthz`, { timeoutMs: Math.min(client.timeoutMs, PROBE_TIMEOUT_MS) });
      if (res.status >= 400) error = `HTTP ${res.status}`;
      else times.push(res.ms);
    } catch (err) {
      error = err instanceof StewardError ? err.message : String(err);
    }
  };
  await Promise.all(Array.from({ length: PROBES }, probe));
  if (times.length === 0) return { ...replica, error: error ?? 'no answer' };
  times.sort((a, b) => a - b);
  return { ...replica, ms: times[Math.floor(times.length / 2)] };
}

/**
 * The URLs to ask, closest first: the remembered ranking while it is fresh, else a new
 * measurement (printed, and remembered).
 */
export async function geoCandidates(client: RegistryClient, base: string, say: (line?: string) => void): Promise<string[]> {
  const known = recall(base);
  if (known) {
    const age = Math.max(0, Math.round((Date.now() - known.at) / 1000));
    say(`Using: ${display(known.urls[0]!)} (closest when measured ${age} s ago; measured again after ${GEO_CACHE_MS / 60_000} min)`);
    say();
    return known.urls;
  }
  const urls = (await rankReplicas(client, base, say)).map((r) => r.url);
  remember(base, urls);
  return urls;
}

/**
 * Runs `attempt` against each candidate in turn until one answers. A registry that is down,
 * times out or fails (exit code 3) hands over to the next: a warning, not an error, and
 * the command succeeds; a refusal (4xx) would be the same everywhere and is thrown. After
 * a fail over the remembered ranking is dropped, so the next command measures again.
 */
export async function withFailover<T>(
  base: string, candidates: string[], say: (line?: string) => void, warn: (line: string) => void, attempt: (url: string) => Promise<T>,
): Promise<{ value: T; url: string }> {
  for (const [i, url] of candidates.entries()) {
    try {
      const value = await attempt(url);
      if (i > 0) {
        forget(base);
        say(`Using: ${display(url)}`);
        say();
      }
      return { value, url };
    } catch (err) {
      const next = candidates[i + 1];
      if (!next || !(err instanceof StewardError) || exitCodeFor(err) !== 3) throw err;
      warn(`warning: ${clean(url)} failed: ${clean(err.message)}; failing over to ${clean(next)}`);
    }
  }
  throw new StewardError('SERVFAIL', 'no replica to ask'); // (candidates is never empty)
}

function display(url: string): string {
  const u = new URL(url);
  return clean(u.pathname === '/' ? u.host : `${u.host}${u.pathname}`);
}

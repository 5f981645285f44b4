// --geo-aware: learn a zone's replicas from the registry, time each one, and hand back
// the ones that answered, closest first, so the caller can fail over down the list.
import { StewardError } from '../../errors/index.js';
import type { RegistryClient } from './http.js';
import { clean, fmtMs, str, type Io } from './output.js';

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

/** A few sequential GET /healthz; the median shrugs off one slow probe on a busy machine. */
async function measure(client: RegistryClient, replica: Replica): Promise<Replica> {
  const times: number[] = [];
  let error: string | undefined;
  for (let i = 0; i < PROBES; i++) {
    try {
      const res = await client.call('GET', `${replica.url}/healthz`, { timeoutMs: Math.min(client.timeoutMs, PROBE_TIMEOUT_MS) });
      if (res.status >= 400) {
        error = `HTTP ${res.status}`;
        continue;
      }
      times.push(res.ms);
    } catch (err) {
      error = err instanceof StewardError ? err.message : String(err);
      break; // refused or timed out: more probes would only wait longer for the same answer
    }
  }
  if (times.length === 0) return { ...replica, error: error ?? 'no answer' };
  times.sort((a, b) => a - b);
  return { ...replica, ms: times[Math.floor(times.length / 2)] };
}

function display(url: string): string {
  const u = new URL(url);
  return clean(u.pathname === '/' ? u.host : `${u.host}${u.pathname}`);
}

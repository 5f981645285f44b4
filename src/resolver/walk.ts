// The iterative walk: start at the closest zone known to enclose the name, ask it, and
// follow referrals (up towards the root for names outside the zone asked, then down)
// until a zone answers. Every referral and the final answer are cached. A referral that
// does not bring us closer to the name, or back to a zone already asked, is a loop.
import { StewardError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';
import { isWithin } from '../names/index.js';
import type { RegionEndpoint } from '../records/types.js';
import { answerAuthoritatively } from './authoritative.js';
import { answerKey, referralKey, type CacheEntry, type ResolverCache } from './cache/types.js';
import type { ResolverLimits } from './options.js';
import type { Attempt, AskResult } from './upstream.js';
import type { LocalAnswer, Referral, ResolveAnswer, TraceStep, ZoneView } from './types.js';

export interface Asker {
  ask(zone: string, endpoints: RegionEndpoint[], name: string, onAttempt?: (a: Attempt) => void): Promise<AskResult>;
}

export interface WalkDeps {
  view: ZoneView;
  cache: ResolverCache;
  upstream: Asker;
  limits: ResolverLimits;
  metrics?: Metrics;
  /** Root endpoints, for nodes that have no parent but do not serve the root. */
  rootHints?: RegionEndpoint[];
  now: () => number;
}

interface Hop {
  zone: string;
  endpoints: RegionEndpoint[];
}

/** TTL caps (seconds): positive and referral TTLs within [min, max], negative ones below their own cap. */
export function cappedTtl(kind: CacheEntry['kind'], ttl: number, l: ResolverLimits): number {
  const floor = Math.max(ttl, l.minTtl);
  return Math.min(floor, kind === 'negative' ? l.maxNegativeTtl : l.maxTtl);
}

function entry<K extends CacheEntry['kind']>(kind: K, value: Extract<CacheEntry, { kind: K }>['value'], ttl: number, path: string[], d: WalkDeps): CacheEntry {
  const expiresAt = d.now() + ttl * 1000;
  return { kind, value, ttl, expiresAt, staleUntil: expiresAt + d.limits.staleMaxSeconds * 1000, path } as CacheEntry;
}

/** Zones that could enclose `name`, closest first: the name itself, then each parent up to the root. */
function enclosingZones(name: string, rootDomain: string): string[] {
  const out: string[] = [];
  for (let z = name; ; z = z.slice(z.indexOf('.') + 1)) {
    if (!isWithin(z, rootDomain)) break;
    out.push(z);
    if (z === rootDomain || !z.includes('.')) break;
  }
  return out;
}

async function startingPoint(name: string, d: WalkDeps, steps: TraceStep[]): Promise<Hop> {
  const { view } = d;
  const zones = enclosingZones(name, view.rootDomain);
  const now = d.now();
  const found = await Promise.all(zones.map((z) => d.cache.get(referralKey(z))));
  const i = found.findIndex((e) => e && e.kind === 'referral' && e.expiresAt > now);
  const local = isWithin(name, view.zone);
  // Our own zone is free to ask; a cached referral wins only when it is closer (deeper).
  if (i >= 0 && !(local && zones[i].length <= view.zone.length)) {
    const ref = found[i]!.value as Referral;
    d.metrics?.cacheHits.inc({ kind: 'referral' });
    // The step names the zone the cached referral was learnt from (the last zone asked
    // then), not the zone it points to: "org (cache) REFERRAL → openai.org".
    const learnt = found[i]!.path;
    const from = (Array.isArray(learnt) && learnt.length ? learnt[learnt.length - 1] : undefined) ?? zones[i + 1] ?? view.rootDomain;
    steps.push({ kind: 'cache', zone: from, outcome: 'REFERRAL', referral: ref.zone, ttl: Math.ceil((found[i]!.expiresAt - now) / 1000) });
    return { zone: ref.zone, endpoints: ref.endpoints };
  }
  if (local) return { zone: view.zone, endpoints: [] };
  d.metrics?.cacheMisses.inc({ kind: 'referral' });
  if (view.parent) return { zone: view.parent.zone, endpoints: view.parent.endpoints };
  if (d.rootHints?.length) return { zone: view.rootDomain, endpoints: d.rootHints };
  throw new StewardError('SERVFAIL', `${view.zone} has no parent and no root hints to resolve ${name}`);
}

/** Throws LOOP_DETECTED unless following `to` from `from` gets closer to `name`. */
function checkProgress(name: string, from: string, to: string, asked: string[]) {
  const down = isWithin(name, from);
  const closer = down
    ? to !== from && isWithin(to, from) && isWithin(name, to) // one step down, still above the name
    : to !== from && isWithin(from, to); // up towards a zone that may enclose the name
  if (!closer || asked.includes(to)) {
    throw new StewardError('LOOP_DETECTED', `${from} referred ${name} to ${to}, which ${closer ? 'was already asked' : 'is not closer to the name'} (path: ${[...asked, to].join(' -> ')})`, { path: [...asked, to] });
  }
}

function queryStep(zone: string, a: Attempt): TraceStep {
  const rtt_ms = Math.round(a.rttMs * 10) / 10;
  if (!a.answer) return { kind: 'query', zone, endpoint: a.endpoint, outcome: 'FAILED', rtt_ms, error: a.error };
  const ans = a.answer;
  return ans.status === 'REFERRAL'
    ? { kind: 'query', zone, endpoint: a.endpoint, outcome: 'REFERRAL', referral: ans.referral.zone, ttl: ans.referral.ttl, rtt_ms }
    : { kind: 'query', zone, endpoint: a.endpoint, outcome: ans.status, ttl: ans.ttl, rtt_ms };
}

/**
 * Asks one zone, within what is left of the walk's deadline: each hop has its own
 * timeouts and retries, and a walk of many slow hops must still end in bounded time.
 */
async function askWithin(name: string, hop: Hop, d: WalkDeps, asked: string[], deadline: number, steps: TraceStep[]): Promise<AskResult> {
  const left = deadline - performance.now();
  const late = () =>
    new StewardError('UPSTREAM_TIMEOUT', `resolving ${name} took longer than ${d.limits.deadlineMs} ms (path: ${asked.join(' -> ')})`, { path: [...asked] });
  if (left <= 0) throw late();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late()), left)));
  try {
    const asking = d.upstream.ask(hop.zone, hop.endpoints, name, (a) => steps.push(queryStep(hop.zone, a)));
    asking.catch(() => {}); // when the deadline wins, a later failure has no one to tell
    return await Promise.race([asking, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves `name` by walking the tree; `steps` receives the trace as it goes. */
export async function walk(name: string, d: WalkDeps, steps: TraceStep[] = []): Promise<ResolveAnswer> {
  const writes: Promise<void>[] = [];
  const asked: string[] = [];
  const deadline = performance.now() + d.limits.deadlineMs;
  let hop = await startingPoint(name, d, steps);
  try {
    for (;;) {
      asked.push(hop.zone);
      let answer: LocalAnswer;
      let bytes: number | undefined; // (of the answer's body, for the cache's byte bound)
      if (hop.zone === d.view.zone) {
        answer = answerAuthoritatively(d.view, name);
        const ref = answer.status === 'REFERRAL' ? answer.referral : undefined;
        steps.push({ kind: 'local', zone: hop.zone, outcome: answer.status, ...(ref ? { referral: ref.zone, ttl: ref.ttl } : { ttl: (answer as ResolveAnswer).ttl }) });
      } else {
        ({ answer, bytes } = await askWithin(name, hop, d, asked, deadline, steps));
      }
      const fromUs = hop.zone === d.view.zone;
      if (answer.status === 'NOERROR') {
        const ttl = fromUs ? answer.ttl : cappedTtl('answer', answer.ttl, d.limits);
        const out = { ...answer, ttl, source: 'authoritative' as const, path: [...asked] };
        if (!fromUs) writes.push(d.cache.set(answerKey(name), entry('answer', out, ttl, out.path, d), bytes));
        return out;
      }
      if (answer.status === 'NXDOMAIN') {
        const ttl = fromUs ? answer.ttl : cappedTtl('negative', answer.ttl, d.limits);
        const out = { ...answer, ttl, source: 'authoritative' as const, path: [...asked] };
        if (!fromUs) writes.push(d.cache.set(answerKey(name), entry('negative', out, ttl, out.path, d), bytes));
        return out;
      }
      const ref = answer.referral;
      checkProgress(name, hop.zone, ref.zone, asked);
      if (asked.length > d.limits.maxReferrals) {
        throw new StewardError('TOO_MANY_REFERRALS', `more than ${d.limits.maxReferrals} referrals resolving ${name} (path: ${[...asked, ref.zone].join(' -> ')})`, { path: [...asked, ref.zone] });
      }
      const ttl = cappedTtl('referral', ref.ttl, d.limits);
      // Our own delegations are read live from the zone; caching them would only go stale.
      if (!fromUs) writes.push(d.cache.set(referralKey(ref.zone), entry('referral', { ...ref, ttl }, ttl, [...asked], d), bytes));
      hop = { zone: ref.zone, endpoints: ref.endpoints };
    }
  } finally {
    // Referrals learnt on a failed walk are still worth keeping; the cache never throws.
    await Promise.all(writes);
  }
}

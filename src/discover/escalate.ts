// Discover across the tree (SPEC §3): local → parent → root escalation (`hierarchy`),
// or everything in parallel (`federated`). Remote registries are asked for their
// `local` scope only, so a query never fans out twice.
import { DEFAULTS } from '../config/index.js';
import { isTimeout, PeerClient } from '../peer/index.js';
import type { Audience } from '../records/visibility.js';
import type { ZoneConfig } from '../zonefile/index.js';
import { MAX_LIMIT } from './local.js';
import { RemoteDiscoverCache, type DiscoverCacheOptions, type RemoteAnswer } from './remote-cache.js';
import { remoteLocalDiscover, remoteZoneInfo, type RemoteOptions } from './remote.js';
import type { DiscoverAnswer, DiscoverResult, DiscoverScope, DiscoverSort, RegistryReport } from './types.js';

export interface Peer { zone: string; url: string; role: RegistryReport['role'] }

export interface EscalationDeps {
  config: ZoneConfig;
  /** This zone's own answer, as `audience` may see it (src/records/visibility.ts). */
  local(q: string, sort: DiscoverSort, limit: number, audience: Audience): Omit<DiscoverResult, 'registry' | 'latency_ms'>[];
  remote?: RemoteOptions;
  /** The node's peer client; without one the discoverer makes its own (closed by close()). */
  peer?: PeerClient;
  /** How long other registries' answers are reused (default DEFAULTS.discover; ttlMs 0: never). */
  cache?: DiscoverCacheOptions;
}

/**
 * Per query: `noCache` (a request's `Cache-Control: no-cache`) asks every registry afresh.
 * Only `hierarchy` (the everyday lookup, like a DNS recursion) reuses cached answers;
 * `federated` is the explicit "ask everyone now" and always asks (its answers refresh the cache).
 */
export interface DiscoverOptions {
  onReport?: OnReport;
  noCache?: boolean;
}

const TREE_TTL_MS = 60_000;
/** Ids listed per registry in its report (what the CLI's escalation lines show). */
const LISTED = 20;

/** Called as each registry answers (or fails), for progress while the others still work. */
export type OnReport = (report: RegistryReport) => void;

export function createDiscoverer(deps: EscalationDeps) {
  const remote: RemoteOptions = { maxBodyBytes: DEFAULTS.peer.maxBodyBytes, asker: deps.config.zone, ...(deps.remote ?? { timeoutMs: DEFAULTS.peer.timeoutMs }) };
  const peer = deps.peer ?? new PeerClient({ timeoutMs: remote.timeoutMs, maxBodyBytes: remote.maxBodyBytes, allowPrivate: deps.config.policy.upstreams.allowPrivate });
  let tree: { at: number; peers: Promise<{ parent?: Peer; root?: Peer; siblings: Peer[] }> } | undefined;

  /** Learns parent, root and the parent's other children from the parent chain's /v1/zone. */
  function learnTree() {
    if (tree && Date.now() - tree.at < TREE_TTL_MS) return tree.peers;
    const peers = (async () => {
      const { parent } = deps.config;
      if (!parent) return { siblings: [] };
      const parentPeer: Peer = { zone: parent.zone, url: parent.endpoints[0]!.url, role: 'parent' };
      let root: Peer | undefined;
      let siblings: Peer[] = [];
      try {
        let info = await remoteZoneInfo(peer, parentPeer.url, parentPeer.zone, remote);
        siblings = info.delegations
          .filter((d) => d.zone !== deps.config.zone && d.endpoints.length > 0)
          .map((d) => ({ zone: d.zone, url: d.endpoints[0]!.url, role: 'sibling' as const }));
        let at = parentPeer;
        for (let hops = 0; info.parent && hops < 16; hops++) {
          at = { zone: info.parent.zone, url: info.parent.endpoints[0]!.url, role: 'root' };
          info = await remoteZoneInfo(peer, at.url, at.zone, remote);
        }
        if (at !== parentPeer) root = at;
      } catch {
        tree = undefined; // learn again next time rather than caching a failure
      }
      return { parent: parentPeer, root, siblings };
    })();
    tree = { at: Date.now(), peers };
    return peers;
  }

  const client = peer;
  const answers = new RemoteDiscoverCache(deps.cache ?? DEFAULTS.discover);
  // An answer's report and rows, made once per answer: a cached answer is reused as is.
  const shaped = new WeakMap<RemoteAnswer, { report: RegistryReport; results: DiscoverResult[] }>();
  async function ask(to: Peer, q: string, sort: DiscoverSort, limit: number, noCache: boolean) {
    const started = performance.now();
    try {
      const key = `${to.zone}\n${to.url}\n${sort}\n${limit}\n${q}`;
      const { answer, cached } = await answers.get(key, async () => {
        const got = await remoteLocalDiscover(client, to.url, to.zone, q, sort, limit, remote);
        return { ...got, latency_ms: Math.round(performance.now() - started) };
      }, noCache);
      let made = shaped.get(answer);
      if (!made) {
        const { results, dropped, latency_ms: latency } = answer;
        const report: RegistryReport = { zone: to.zone, url: to.url, count: results.length, latency_ms: latency, status: 'ok', role: to.role, agents: results.slice(0, LISTED).map((r) => r.id) };
        if (dropped > 0) report.dropped = dropped;
        made = { report, results: results.map((r) => Object.freeze({ ...r, registry: to.zone, latency_ms: latency })) };
        shaped.set(answer, made);
      }
      return { report: cached ? { ...made.report, cached: true } : { ...made.report }, results: made.results };
    } catch (err) {
      const latency = Math.round(performance.now() - started);
      const report: RegistryReport = {
        zone: to.zone, url: to.url, count: 0, latency_ms: latency, status: isTimeout(err) ? 'timeout' : 'error', role: to.role,
        error: String((err as Error).message).slice(0, 200),
      };
      return { report, results: [] as DiscoverResult[] };
    }
  }

  function askLocal(q: string, sort: DiscoverSort, limit: number, audience: Audience) {
    const started = performance.now();
    const rows = deps.local(q, sort, limit, audience);
    const latency = Math.round(performance.now() - started);
    const results = rows.map((r) => ({ ...r, registry: deps.config.zone, latency_ms: latency }));
    const report: RegistryReport = { zone: deps.config.zone, url: null, count: results.length, latency_ms: latency, status: 'ok', role: 'local', agents: results.slice(0, LISTED).map((r) => r.id) };
    return { report, results };
  }

  // Another registry asking (scope=local, outside) gets only what visibleTo() lets out;
  // what other registries send back is theirs to filter (they see us as outside).
  // Every registry is asked for up to MAX_LIMIT results whatever `limit` is, so the answer
  // can say how many were found (`total`) while it returns only `limit` of them.
  return async function discover(q: string, scope: DiscoverScope, sort: DiscoverSort, limit: number, audience: Audience, opts: DiscoverOptions = {}): Promise<DiscoverAnswer> {
    const { onReport, noCache = false } = opts;
    const wide = Math.max(limit, MAX_LIMIT);
    const told = <T extends { report: RegistryReport }>(a: T): T => {
      onReport?.(a.report);
      return a;
    };
    const answers = [told(askLocal(q, sort, wide, audience))];
    if (scope === 'hierarchy' && answers[0]!.results.length === 0) {
      // The seed's escalation: parent, then root, stopping at the first with results.
      const { parent, root } = await learnTree();
      for (const peer of [parent, root]) {
        if (!peer) continue;
        const a = told(await ask(peer, q, sort, wide, noCache));
        answers.push(a);
        if (a.results.length > 0) break;
      }
    } else if (scope === 'federated') {
      // Everyone at once; a registry that fails or times out is a report, never a failure.
      const { parent, root, siblings } = await learnTree();
      const peers = [parent, root, ...siblings].filter((p): p is Peer => !!p);
      answers.push(...(await Promise.all(peers.map(async (p) => told(await ask(p, q, sort, wide, true))))));
    }
    const all = merge(answers.flatMap((a) => a.results), sort, Infinity);
    return { query: q, scope, results: all.slice(0, limit), total: all.length, registries: answers.map((a) => a.report) };
  };
}

/**
 * Names and ids are normalised (a-z 0-9 . -), so code-unit order is the order localeCompare
 * gave them, and the local search's (search.ts) — at a fraction of ICU collation's cost.
 */
const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deduplicates by id (keeping the nearest answer) and sorts. */
export function merge(rows: DiscoverResult[], sort: DiscoverSort, limit: number): DiscoverResult[] {
  const byId = new Map<string, DiscoverResult>();
  for (const r of rows) {
    const seen = byId.get(r.id);
    if (!seen || r.latency_ms < seen.latency_ms) byId.set(r.id, r);
  }
  const cmp: Record<DiscoverSort, (a: DiscoverResult, b: DiscoverResult) => number> = {
    trust: (a, b) => b.trust - a.trust || order(a.id, b.id),
    latency: (a, b) => a.latency_ms - b.latency_ms || b.trust - a.trust || order(a.id, b.id),
    name: (a, b) => order(a.name, b.name) || order(a.id, b.id),
  };
  return [...byId.values()].sort(cmp[sort]).slice(0, limit);
}

// Discover across the tree (SPEC §3): local → parent → root escalation (`hierarchy`),
// or everything in parallel (`federated`). Remote registries are asked for their
// `local` scope only, so a query never fans out twice.
import type { ZoneConfig } from '../zonefile/index.js';
import { remoteLocalDiscover, remoteZoneInfo, type RemoteOptions } from './remote.js';
import type { DiscoverAnswer, DiscoverResult, DiscoverScope, DiscoverSort, RegistryReport } from './types.js';

export interface Peer { zone: string; url: string; role: RegistryReport['role'] }

export interface EscalationDeps {
  config: ZoneConfig;
  local(q: string, sort: DiscoverSort, limit: number): Omit<DiscoverResult, 'registry' | 'latency_ms'>[];
  remote?: RemoteOptions;
}

const TREE_TTL_MS = 60_000;

export function createDiscoverer(deps: EscalationDeps) {
  const remote = deps.remote ?? { timeoutMs: 2_000 };
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
        let info = await remoteZoneInfo(parentPeer.url, remote);
        siblings = info.delegations
          .filter((d) => d.zone !== deps.config.zone && d.endpoints.length > 0)
          .map((d) => ({ zone: d.zone, url: d.endpoints[0]!.url, role: 'sibling' as const }));
        let at = parentPeer;
        for (let hops = 0; info.parent && hops < 16; hops++) {
          at = { zone: info.parent.zone, url: info.parent.endpoints[0]!.url, role: 'root' };
          info = await remoteZoneInfo(at.url, remote);
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

  async function ask(peer: Peer, q: string, sort: DiscoverSort, limit: number) {
    const started = performance.now();
    try {
      const results = await remoteLocalDiscover(peer.url, q, sort, limit, remote);
      const latency = Math.round(performance.now() - started);
      const report: RegistryReport = { zone: peer.zone, url: peer.url, count: results.length, latency_ms: latency, status: 'ok', role: peer.role };
      return { report, results: results.map((r) => ({ ...r, registry: peer.zone, latency_ms: latency })) };
    } catch (err) {
      const latency = Math.round(performance.now() - started);
      const timeout = (err as Error).name === 'TimeoutError' || /timeout/i.test(String((err as Error).message));
      const report: RegistryReport = {
        zone: peer.zone, url: peer.url, count: 0, latency_ms: latency, status: timeout ? 'timeout' : 'error', role: peer.role,
        error: String((err as Error).message).slice(0, 200),
      };
      return { report, results: [] as DiscoverResult[] };
    }
  }

  function askLocal(q: string, sort: DiscoverSort, limit: number) {
    const started = performance.now();
    const rows = deps.local(q, sort, limit);
    const latency = Math.round(performance.now() - started);
    const results = rows.map((r) => ({ ...r, registry: deps.config.zone, latency_ms: latency }));
    const report: RegistryReport = { zone: deps.config.zone, url: null, count: results.length, latency_ms: latency, status: 'ok', role: 'local' };
    return { report, results };
  }

  return async function discover(q: string, scope: DiscoverScope, sort: DiscoverSort, limit: number): Promise<DiscoverAnswer> {
    const local = askLocal(q, sort, limit);
    const answers = [local];
    if (scope === 'hierarchy' && local.results.length === 0) {
      const { parent, root } = await learnTree();
      for (const peer of [parent, root]) {
        if (!peer) continue;
        const a = await ask(peer, q, sort, limit);
        answers.push(a);
        if (a.results.length > 0) break;
      }
    } else if (scope === 'federated') {
      const { parent, root, siblings } = await learnTree();
      const peers = [parent, root, ...siblings].filter((p): p is Peer => !!p);
      answers.push(...(await Promise.all(peers.map((p) => ask(p, q, sort, limit)))));
    }
    return { query: q, scope, results: merge(answers.flatMap((a) => a.results), sort, limit), registries: answers.map((a) => a.report) };
  };
}

/** Deduplicates by id (keeping the nearest answer) and sorts. */
export function merge(rows: DiscoverResult[], sort: DiscoverSort, limit: number): DiscoverResult[] {
  const byId = new Map<string, DiscoverResult>();
  for (const r of rows) {
    const seen = byId.get(r.id);
    if (!seen || r.latency_ms < seen.latency_ms) byId.set(r.id, r);
  }
  const cmp: Record<DiscoverSort, (a: DiscoverResult, b: DiscoverResult) => number> = {
    trust: (a, b) => b.trust - a.trust || a.id.localeCompare(b.id),
    latency: (a, b) => a.latency_ms - b.latency_ms || b.trust - a.trust || a.id.localeCompare(b.id),
    name: (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  };
  return [...byId.values()].sort(cmp[sort]).slice(0, limit);
}

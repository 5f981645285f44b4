// Phase 3, in a fresh process: reopen the zone (snapshot + log replay), then time what a
// node does with it: rd=0 resolves (answerAuthoritatively) and local discovers.
import { discoverLocal } from '../../src/discover/local.js';
import { DEFAULTS } from '../../src/config/index.js';
import { answerAuthoritatively } from '../../src/resolver/authoritative.js';
import type { ZoneView } from '../../src/resolver/types.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { agentName, CAPABILITIES, manifestFor, ROOT, selectiveQueries, VOCAB, ZONE } from './data.js';
import { memory, quantiles, seconds } from './stats.js';

export async function restart(dir: string, agents: number) {
  const started = performance.now();
  const store = await ZoneStore.open({ zone: ZONE, dir });
  const replay = { seconds: seconds(started), agents: store.size, serial: store.serial, ...store.stats };
  const afterOpen = memory();

  const view: ZoneView = {
    zone: ZONE,
    rootDomain: ROOT,
    parent: { zone: ROOT, endpoints: [{ url: 'http://127.0.0.1:9' }] },
    ttl: DEFAULTS.ttl,
    getAgent: (label) => store.get(label),
    getDelegation: () => undefined,
  };
  const names = Array.from({ length: 100_000 }, (_, k) =>
    k % 10 === 9 ? `nobody-${k}.${ZONE}` : `${agentName(Math.floor(Math.random() * agents))}.${ZONE}`);
  const resolveUs: number[] = [];
  let found = 0;
  for (const fqid of names) {
    const t = performance.now();
    const a = answerAuthoritatively(view, fqid);
    resolveUs.push(performance.now() - t);
    if (a.status === 'NOERROR') found++;
  }

  // Selective: a rare capability, two description words, a name word + a capability.
  const selective = selectiveQueries(agents);
  const broad = [CAPABILITIES[0]!, VOCAB[0]!, 'stable', CAPABILITIES[1]!];
  const time = (queries: string[], sort: 'trust' | 'name') => {
    const ms: number[] = [];
    let results = 0;
    for (const q of queries) {
      const t = performance.now();
      results += discoverLocal(store, { q, sort }).length;
      ms.push(performance.now() - t);
    }
    return { ...quantiles(ms, 1, 3), avg_results: Number((results / queries.length).toFixed(1)) };
  };
  const matches = (q: string) => store.capabilities.count(q) + store.keywords.count(q);
  const out = {
    replay,
    memory_after_open: afterOpen,
    resolve_rd0_us: { ...quantiles(resolveUs, 1000, 1), found },
    discover_selective_ms: time(selective, 'trust'),
    discover_selective_by_name_ms: time(selective, 'name'),
    discover_broad_ms: { ...time(Array.from({ length: 50 }, (_, k) => broad[k % broad.length]!), 'trust'), largest_posting: Math.max(...broad.map(matches)) },
    memory_end: memory(),
  };
  await store.close();
  return out;
}

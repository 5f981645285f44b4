// The `subtree` section of bench-sync: the root's subtree index with N references.
//   build    generate N signed references; the first `pushPath` of them go through what
//            POST /v1/push runs (checkPushEntries: signatures, digests, place; then
//            SubtreeIndex.apply) in pushes of 500, the rest through apply alone in batches
//            of 1,000 (checked by construction); durable, fsync on. Generation is timed apart.
//   compact  one snapshot, then close.
//   restart  (fresh process) reopen: time, RSS; selective / broad discover over
//            [zone store, subtree index] as the node runs it; get by id.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { discoverLocal } from '../../src/discover/local.js';
import { checkPushEntries, type PushEntry } from '../../src/federation/push/entries.js';
import { SubtreeIndex } from '../../src/federation/subtree/index.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { withDeadline, progress } from '../bench-common/phase.js';
import { CAPABILITIES, manifestFor, ROOT, selectiveQueries, VOCAB } from '../bench-zone/data.js';
import { memory, quantiles, seconds } from '../bench-zone/stats.js';
import { idOf, PARENT, refFor } from './refs.js';

const DEADLINE = { build: 40 * 60_000, compact: 15 * 60_000, restart: 20 * 60_000 };
const dirMb = (dir: string) => Math.round(readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1e6);

export async function buildSubtree(dir: string, refs: number, pushPath: number) {
  rmSync(dir, { recursive: true, force: true });
  const index = await SubtreeIndex.open({ zone: ROOT, dir });
  let genMs = 0;
  let pushMs = 0;
  let applyMs = 0;
  let done = 0;
  let accepted = 0;
  const gen = (from: number, n: number): PushEntry[] => {
    const t = performance.now();
    const out = Array.from({ length: n }, (_, k) => ({ op: 'put' as const, ref: refFor(from + k) }));
    genMs += performance.now() - t;
    return out;
  };
  const built = await withDeadline('subtree build', DEADLINE.build, async (status) => {
    status(() => `${done} of ${refs} references (${Math.round(genMs / 1000)} s signing)`);
    for (; done < Math.min(pushPath, refs); ) {
      const batch = gen(done, Math.min(500, pushPath - done));
      const t = performance.now();
      const { good, rejected } = await checkPushEntries(batch, { rootDomain: ROOT, sender: PARENT });
      if (rejected.length) throw new Error(`push path rejected ${rejected.length}: ${JSON.stringify(rejected[0])}`);
      accepted += (await index.apply(PARENT, good)).accepted;
      pushMs += performance.now() - t;
      done += batch.length;
    }
    for (; done < refs; ) {
      const batch = gen(done, Math.min(1000, refs - done));
      const t = performance.now();
      accepted += (await index.apply(PARENT, batch)).accepted;
      applyMs += performance.now() - t;
      done += batch.length;
    }
    return { references: index.size, accepted, serial: index.serial, ...index.stats };
  });
  const push = Math.min(pushPath, refs);
  const afterBuild = memory();
  const compact = await withDeadline('subtree compact', DEADLINE.compact, async () => {
    const t = performance.now();
    await index.compact();
    const s = seconds(t);
    await index.close();
    return { seconds: s, dir_mb: dirMb(dir) };
  });
  return {
    build: {
      ...built,
      generate: { seconds: Number((genMs / 1000).toFixed(1)), per_s: Math.round(refs / (genMs / 1000)) },
      push_path: { references: push, seconds: Number((pushMs / 1000).toFixed(1)), per_s: Math.round(push / (pushMs / 1000)) },
      apply: { references: refs - push, seconds: Number((applyMs / 1000).toFixed(1)), per_s: Math.round((refs - push) / (applyMs / 1000)) },
      memory: afterBuild,
    },
    compact,
  };
}

/** In a fresh process: reopen, then what discover at the root costs. */
export async function restartSubtree(dir: string, refs: number) {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const index = await SubtreeIndex.open({ zone: ROOT, dir });
  const cpu = process.cpuUsage(cpu0);
  // CPU seconds beside wall seconds: on a shared, overloaded machine the wall time mostly measures the queue for a core.
  const reopen = { seconds: seconds(started), cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)), references: index.size, serial: index.serial, ...index.stats };
  const afterOpen = memory();
  const own = await ZoneStore.open({ zone: ROOT }); // the root's own (empty) zone, searched beside it
  progress(`reopened ${index.size} references in ${reopen.seconds} s`);

  const selective = selectiveQueries(refs);
  const broad = [CAPABILITIES[0]!, VOCAB[0]!, 'stable', CAPABILITIES[1]!];
  const time = (queries: string[], sort: 'trust' | 'name') => {
    const ms: number[] = [];
    const cpuMs: number[] = [];
    let results = 0;
    for (const q of queries) {
      const t = performance.now();
      const c = process.cpuUsage();
      results += discoverLocal([own, index], { q, sort, audience: 'outside' }).length;
      const d = process.cpuUsage(c);
      ms.push(performance.now() - t);
      cpuMs.push((d.user + d.system) / 1000);
    }
    return { ...quantiles(ms, 1, 3), cpu_ms: quantiles(cpuMs, 1, 3), avg_results: Number((results / queries.length).toFixed(1)) };
  };
  const getUs: number[] = [];
  let found = 0;
  for (let k = 0; k < 20_000; k++) {
    const id = idOf(Math.floor(Math.random() * refs));
    const t = performance.now();
    if (index.get(id)) found++;
    getUs.push(performance.now() - t);
  }
  const out = {
    reopen,
    memory_after_open: afterOpen,
    get_by_id_us: { ...quantiles(getUs, 1000, 1), found },
    discover_selective_ms: time(selective, 'trust'),
    discover_selective_by_name_ms: time(selective, 'name'),
    discover_broad_ms: time(Array.from({ length: 40 }, (_, k) => broad[k % broad.length]!), 'trust'),
    memory_end: memory(),
  };
  await index.close();
  return out;
}

export { DEADLINE as SUBTREE_DEADLINE };

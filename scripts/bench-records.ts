// Hot-path costs of signed records, printed as JSON:
//   node --expose-gc --import tsx scripts/bench-records.ts [--names 1000000] [--only-confusable]
// - JWS verifies/s per alg: a returning key (import cached), and fresh keys (cold);
//   sequential and with 64 in flight (node:crypto verify runs on libuv's thread pool).
// - preparePublish/s (verify + schema + digest + confusable check) for ES256.
// - ConfusableIndex with N names: add/s, findConflict/s, memory.
// The machine is shared: each figure is the median of 3 runs.
import { ConfusableIndex, SHORT_NAME_MAX, skeleton } from '../src/records/confusable.js';
import { verifyCompactJws, type PublisherAlg } from '../src/records/jws.js';
import { generatePublisherKey, signCompact } from '../src/records/keys.js';
import { preparePublish } from '../src/records/publish.js';
import { benchName, exitOnFailure, withDeadline } from './bench-common/phase.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N_NAMES = arg('names', 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function rate(n: number, fn: (i: number) => Promise<unknown> | unknown, runs = 3): Promise<number> {
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    out.push(n / ((performance.now() - t) / 1000));
  }
  return Math.round(median(out));
}
async function rateParallel(n: number, width: number, fn: (i: number) => Promise<unknown>, runs = 3): Promise<number> {
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    let next = 0;
    const t = performance.now();
    await Promise.all(Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }));
    out.push(n / ((performance.now() - t) / 1000));
  }
  return Math.round(median(out));
}

const manifest = (name: string) => ({
  name, namespace: 'bench', version: '1.0.0', description: 'bench agent', capabilities: ['planning', 'code.review'],
  endpoints: [{ url: `https://agents.example.com/${name}`, protocol: 'a2a', region: 'eu-west' }],
  tags: ['bench'], visibility: 'public',
});

async function jwsBench(alg: PublisherAlg) {
  const key = await generatePublisherKey(alg);
  const jws = await signCompact(manifest('bench-agent'), key);
  await verifyCompactJws(jws); // warm the key cache
  // RSA key generation is slow; 40 fresh keys are enough to see the import cost.
  const coldKeys = await Promise.all(Array.from({ length: alg === 'RS256' ? 40 : 200 }, () => generatePublisherKey(alg)));
  const coldJws = await Promise.all(coldKeys.map((k) => signCompact(manifest('bench-agent'), k)));
  const n = alg === 'RS256' ? 3000 : 5000;
  return {
    cached_sequential: await rate(n, () => verifyCompactJws(jws)),
    cached_parallel_64: await rateParallel(n, 64, () => verifyCompactJws(jws)),
    // distinct never-seen keys (the cache is keyed by key; first use imports)
    cold_key_sequential: await rate(coldJws.length, async (i) => verifyCompactJws(coldJws[i]), 1),
  };
}

async function publishBench() {
  const key = await generatePublisherKey('ES256');
  const n = 3000;
  const signed = await Promise.all(Array.from({ length: n }, (_, i) => signCompact(manifest(`bench-agent-number-${i}`), key)));
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    const confusables = new ConfusableIndex();
    const t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < n) {
        const rec = await preparePublish({
          jws: signed[next++], zone: 'bench.steward-registry.org', namespace: 'bench', replicaId: 'r1',
          current: () => undefined, confusables,
        });
        confusables.add(rec.name);
      }
    }));
    out.push(n / ((performance.now() - t) / 1000));
  }
  return { es256_parallel_64: Math.round(median(out)) };
}

// Deterministic agent-like names: 1-3 pronounceable words joined by '-', some digits.
function names(n: number): string[] {
  let s = 0x9e3779b9;
  const rnd = (k: number) => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) % k;
  };
  const C = 'bcdfghjklmnprstvwxz';
  const V = 'aeiou';
  const word = () => {
    let w = '';
    for (let i = 0, syl = 1 + rnd(3); i < syl; i++) w += C[rnd(C.length)] + V[rnd(V.length)] + (rnd(3) === 0 ? C[rnd(C.length)] : '');
    return w;
  };
  const out = new Set<string>();
  while (out.size < n) {
    const parts = Array.from({ length: 1 + rnd(3) }, word);
    if (rnd(4) === 0) parts.push(String(rnd(100)));
    out.add(parts.join('-').slice(0, 63).replace(/-$/, ''));
  }
  return [...out];
}

const memory = () => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function confusableBench() {
  const list = names(N_NAMES);
  const shortCount = list.filter((l) => skeleton(l).length <= SHORT_NAME_MAX).length;
  const before = memory();
  const ix = new ConfusableIndex();
  let t = performance.now();
  for (const l of list) ix.add(l);
  const addPerSec = Math.round(list.length / ((performance.now() - t) / 1000));
  const after = memory();
  // Probes: half look-alikes/typos of existing names, half fresh names.
  const fresh = names(N_NAMES + 100_000).slice(N_NAMES);
  const probes: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const base = list[(i * 7919) % list.length];
    probes.push(i % 4 === 0 ? base.replace('o', '0') : i % 4 === 1 ? base.slice(1) : fresh[i]);
  }
  let conflicts = 0;
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    conflicts = 0;
    t = performance.now();
    for (const p of probes) if (ix.findConflict(p) !== undefined) conflicts++;
    runs.push(probes.length / ((performance.now() - t) / 1000));
  }
  return {
    names: ix.size,
    short_names: shortCount,
    add_per_s: addPerSec,
    find_conflict_per_s: Math.round(median(runs)),
    probe_conflict_rate: Math.round((conflicts / probes.length) * 1000) / 1000,
    memory_mb: gc ? Math.round((after - before) / 1e5) / 10 : 'run with --expose-gc',
    hash_index_mb: Math.round(ix.hashIndexBytes / 1e5) / 10,
    bytes_per_name: gc ? Math.round((after - before) / ix.size) : undefined,
    note: 'memory includes the label strings themselves',
  };
}

// Each phase has a deadline and progress lines on stderr (the confusable phase is
// synchronous: its deadline is checked when it returns).
benchName('bench-records');
const onlyConfusable = process.argv.includes('--only-confusable');
const MIN = 60_000;
const confusable = () => withDeadline('confusable index', 20 * MIN, async () => confusableBench());
try {
  const result = onlyConfusable
    ? { node: process.version, confusable_index: await confusable() }
    : {
        node: process.version,
        verify_per_s: {
          ES256: await withDeadline('verify ES256', 10 * MIN, () => jwsBench('ES256')),
          EdDSA: await withDeadline('verify EdDSA', 10 * MIN, () => jwsBench('EdDSA')),
          RS256: await withDeadline('verify RS256', 10 * MIN, () => jwsBench('RS256')),
        },
        prepare_publish_per_s: await withDeadline('preparePublish', 10 * MIN, () => publishBench()),
        confusable_index: await confusable(),
      };
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
} catch (err) {
  exitOnFailure(err);
}

// decide() (SPEC §6 "Conflicts") and the zone's one writer that applies it: the dominating
// clock wins whatever the wall clocks say; concurrent writes go by version, published_at,
// digest; and random histories across three replicas, exchanged in random orders, end in
// the same state on every replica.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareClocks, decide, mergeClocks, type Version } from '../../src/records/decide.js';
import type { AgentRecord } from '../../src/records/types.js';
import { ZoneWriter } from '../../src/store/writer.js';
import { ZoneStore } from '../../src/store/zone-store.js';

const ZONE = 'vibe-agency.com.steward-registry.org';

function rec(name: string, over: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id: `${name}.${ZONE}`, name, namespace: 'vibe-agency.com', zone: ZONE, version: '1.0.0', capabilities: ['x'], endpoints: [], visibility: 'public',
    fingerprint: 'k'.repeat(43), digest: `sha256:${'0'.repeat(64)}`, jws: 'a.b.c', published_at: '2026-01-01T00:00:00.000Z', trust: 0.5, vector_clock: {}, ...over,
  };
}
const put = (r: AgentRecord): Version => ({ op: 'put', record: r });

test('clock order: dominance, equality, concurrency; merge is the entry-wise max', () => {
  assert.is(compareClocks({ a: 2, b: 1 }, { a: 1 }), 'after');
  assert.is(compareClocks({ a: 1 }, { a: 1, b: 0 }), 'equal');
  assert.is(compareClocks({ a: 1 }, { b: 1 }), 'concurrent');
  assert.equal(mergeClocks({ b: 3, a: 1 }, { a: 2 }), { a: 2, b: 3 });
});

test('the dominating clock wins even with a lower version and an older published_at (a skewed clock never overrides what followed it)', () => {
  const skewed = put(rec('n', { version: '9.0.0', published_at: '2026-01-01T00:10:00.000Z', vector_clock: { b: 1 } }));
  const after = put(rec('n', { version: '1.0.0', published_at: '2026-01-01T00:00:00.000Z', vector_clock: { a: 1, b: 1 } }));
  for (const [cur, inc] of [[skewed, after], [after, skewed]] as const) {
    const d = decide(cur, inc);
    assert.is(d.winner === 'incoming' ? inc : cur, after);
    assert.is(d.reason, 'dominates');
    assert.not.ok(d.conflict);
  }
});

test('concurrent writes: higher version, then later published_at, then larger digest; the same answer either way round', () => {
  const cases: [Partial<AgentRecord>, Partial<AgentRecord>, string][] = [
    [{ version: '1.10.0' }, { version: '1.9.0', published_at: '2027-01-01T00:00:00Z' }, 'version'],
    [{ published_at: '2026-01-01T00:00:01.000Z' }, { published_at: '2026-01-01T00:00:00.000Z', digest: `sha256:${'f'.repeat(64)}` }, 'published_at'],
    [{ digest: `sha256:${'f'.repeat(64)}` }, {}, 'digest'],
  ];
  for (const [w, l, reason] of cases) {
    const win = put(rec('n', { ...w, vector_clock: { a: 1 } }));
    const lose = put(rec('n', { ...l, vector_clock: { b: 1 } }));
    for (const [cur, inc] of [[win, lose], [lose, win]] as const) {
      const d = decide(cur, inc);
      assert.is(d.winner === 'incoming' ? inc : cur, win, reason);
      assert.is(d.reason, reason);
      assert.ok(d.conflict);
    }
  }
  assert.is(decide(undefined, put(rec('n'))).winner, 'incoming');
  const same = put(rec('n', { vector_clock: { a: 1 } }));
  assert.equal(decide(same, put({ ...same.record })), { winner: 'current', reason: 'same', conflict: false });
});

// --- property: random histories over three replicas converge -------------------------

function prng(seed: number) {
  return () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

const stateOf = (s: ZoneStore, names: string[]) =>
  names.map((n) => {
    const r = s.get(n) ?? s.deleted(n);
    return r ? `${n} ${s.get(n) ? 'put' : 'delete'} ${r.version} ${r.digest} ${r.published_at} ${JSON.stringify(mergeClocks(r.vector_clock, {}))}` : `${n} -`;
  }).join('\n');

async function history(seed: number) {
  const rnd = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const names = ['alpha', 'beta', 'gamma', 'delta'];
  const replicas = await Promise.all(['r1', 'r2', 'r3'].map(async (id) => {
    const store = await ZoneStore.open({ zone: ZONE });
    return { id, store, writer: new ZoneWriter(store, id), losers: [] as string[] };
  }));
  for (const r of replicas) r.writer.onConflict((c) => r.losers.push(c.loser.record.digest));
  const all = (r: (typeof replicas)[number]) => names.flatMap((n) => r.writer.state(n) ?? []);
  let t = Date.parse('2026-01-01T00:00:00Z');
  for (let step = 0; step < 60; step++) {
    const r = pick(replicas);
    const name = pick(names);
    const roll = rnd();
    t += Math.floor(rnd() * 3) * 1000; // equal times happen: digest then decides
    if (roll < 0.5) {
      const cur = r.writer.state(name);
      const major = cur ? Number(cur.record.version.split('.')[0]) + Math.floor(rnd() * 2) + (cur.op === 'delete' ? 1 : 0) : 1;
      const version = `${major}.0.${Math.floor(rnd() * 3)}`;
      if (cur && version <= cur.record.version && !(major > Number(cur.record.version.split('.')[0]))) continue;
      const digest = `sha256:${Math.floor(rnd() * 16).toString(16).repeat(64)}`;
      await r.writer.serial(name, () => r.writer.putLocal(rec(name, { version, digest, published_at: new Date(t).toISOString() })));
    } else if (roll < 0.6) {
      await r.writer.serial(name, () => r.writer.removeLocal(name, new Date(t)));
    } else {
      const from = pick(replicas.filter((x) => x !== r));
      for (const v of all(from).sort(() => rnd() - 0.5)) await r.writer.replicated(v, from.id);
    }
  }
  // Heal: every replica hears every other, in random orders, until nothing changes.
  for (let round = 0; round < 3; round++) {
    for (const r of [...replicas].sort(() => rnd() - 0.5)) {
      for (const from of replicas) if (from !== r) for (const v of all(from).sort(() => rnd() - 0.5)) await r.writer.replicated(v, from.id);
    }
  }
  return { replicas, names };
}

test('random histories delivered in random orders converge to one state on every replica', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const { replicas, names } = await history(seed);
    const [a, ...rest] = replicas.map((r) => stateOf(r.store, names));
    for (const s of rest) assert.is(s, a, `seed ${seed}`);
  }
});

test('merged clocks do not change a record\'s trust, and a replayed version changes nothing', async () => {
  const store = await ZoneStore.open({ zone: ZONE });
  const w = new ZoneWriter(store, 'r1');
  await w.serial('n', () => w.putLocal(rec('n', { trust: 0.7 })));
  const before = store.serial;
  const out = await w.replicated(w.state('n')!, 'r2');
  assert.is(out.applied, false);
  assert.is(store.serial, before);
  await w.replicated(put(rec('n', { version: '0.9.0', trust: 0.1, vector_clock: { r2: 5 } })), 'r2'); // concurrent, lower version: loses
  assert.is(store.get('n')!.trust, 0.7);
  assert.equal(store.get('n')!.vector_clock, { r1: 1, r2: 5 });
});

test.run();

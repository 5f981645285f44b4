// The one search (src/discover/search.ts) over both indexes that implement SearchIndex:
// the zone's own store and a parent's subtree index. One suite, run against each: what
// matches, in what order, and that the index-driven answer equals a brute-force scan on
// random data through replaces and deletes. (Was test/store/discover-local.test.ts.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverLocal, type SearchIndex } from '../../src/discover/local.js';
import { StewardError } from '../../src/errors/index.js';
import { SubtreeIndex } from '../../src/federation/subtree/index.js';
import { referenceOf } from '../../src/federation/push/outgoing.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { keywordTokens } from '../../src/store/tokens.js';
import type { AgentRecord } from '../../src/records/types.js';
import { makeRecord, NAMESPACE, newPublisher, signManifest, ZONE } from '../store/fixtures.js';

interface Held {
  index: SearchIndex;
  put(r: AgentRecord): Promise<void>;
  remove(name: string): Promise<void>;
  has(name: string): boolean;
  all(): AgentRecord[];
}

interface Impl {
  open(): Promise<Held>;
  /** Internal records never reach a subtree index (entries.ts refuses them). */
  holdsInternal: boolean;
  /** The index's key of a result: ties in order are broken by it. */
  keyOf(r: { id: string; name: string }): string;
}

const pub = newPublisher();

const impls: Record<string, Impl> = {
  'zone store': {
    holdsInternal: true,
    keyOf: (r) => r.name,
    async open() {
      const store = await ZoneStore.open({ zone: ZONE });
      const held = new Map<string, AgentRecord>();
      return {
        index: store,
        put: async (r) => { await store.put(r); held.set(r.name, r); },
        remove: async (name) => { await store.remove(name); held.delete(name); },
        has: (name) => !!store.get(name),
        all: () => [...store.labels()].map((l) => store.get(l)!),
      };
    },
  },
  'subtree index': {
    holdsInternal: false,
    keyOf: (r) => r.id,
    async open() {
      const index = await SubtreeIndex.open({ zone: 'steward-registry.org' });
      const held = new Map<string, AgentRecord>();
      const apply = async (entry: Parameters<SubtreeIndex['apply']>[1][number]) => {
        const r = await index.apply(ZONE, [entry]);
        assert.is(r.rejected.length, 0, JSON.stringify(r.rejected));
      };
      return {
        index,
        async put(r) {
          const ref = referenceOf(r);
          if (!ref) return; // internal: never sent up
          await apply({ op: 'put', ref });
          held.set(r.name, r);
        },
        async remove(name) {
          const r = held.get(name)!;
          const tombstone = signManifest({ name, namespace: NAMESPACE, deleted: true, version: r.version }, pub);
          await apply({ op: 'delete', id: r.id, version: r.version, tombstone, fingerprint: pub.fingerprint });
          held.delete(name);
        },
        has: (name) => held.has(name),
        all: () => [...held.values()],
      };
    },
  },
};

const names = (rows: { name: string }[]) => rows.map((r) => r.name);

for (const [kind, impl] of Object.entries(impls)) {
  const test = suite(`search (${kind})`);
  const rec = (name: string, o: Parameters<typeof makeRecord>[1] = {}) => makeRecord(name, { pub, ...o });
  /** The names an answer holds, less the internal ones this index cannot hold. */
  const expect = (list: string[]) => list.filter((n) => impl.holdsInternal || n !== 'acme-secret-helper');

  async function seeded() {
    const h = await impl.open();
    await h.put(rec('acme-planning-bot', { capabilities: ['planning'], description: 'Plans sprints', trust: 0.7 }));
    await h.put(rec('acme-sdlc-bot', { capabilities: ['orchestrate_sdlc', 'planning'], description: 'Runs the delivery lifecycle', trust: 0.9 }));
    await h.put(rec('acme-code-generator', { capabilities: ['code_generation'], description: 'Writes code for planning tools', trust: 0.7 }));
    await h.put(rec('acme-secret-helper', { capabilities: ['planning'], visibility: 'internal', trust: 0.2 }));
    return h.index;
  }

  test('a capability token matches exactly; keywords must all match; case does not matter', async () => {
    const store = await seeded();
    assert.equal(names(discoverLocal(store, { q: 'orchestrate_sdlc' })), ['acme-sdlc-bot']);
    assert.equal(names(discoverLocal(store, { q: 'ORCHESTRATE_SDLC' })), ['acme-sdlc-bot']);
    assert.equal(names(discoverLocal(store, { q: 'code generator', sort: 'name' })), ['acme-code-generator']);
    assert.equal(names(discoverLocal(store, { q: 'code sprints' })), [], 'no agent has both words');
    assert.equal(names(discoverLocal(store, { q: 'lifecycle' })), ['acme-sdlc-bot']);
    assert.equal(names(discoverLocal(store, { q: 'nothing-like-this' })), []);
  });

  test('results carry the discover fields; an agent matching twice is listed once', async () => {
    const store = await seeded();
    const rows = discoverLocal(store, { q: 'planning', sort: 'name' });
    // capability planning: planning-bot, sdlc-bot, secret-helper; keyword planning: + code-generator
    assert.equal(names(rows), expect(['acme-code-generator', 'acme-planning-bot', 'acme-sdlc-bot', 'acme-secret-helper']));
    assert.equal(rows[2], {
      id: `acme-sdlc-bot.${ZONE}`, name: 'acme-sdlc-bot', namespace: 'acme-corp.com', version: '1.0.0',
      capabilities: ['orchestrate_sdlc', 'planning'], trust: 0.9,
    });
  });

  if (impl.holdsInternal) {
    test('internal agents are visible to a local discover', async () => {
      const store = await seeded();
      assert.equal(names(discoverLocal(store, { q: 'secret' })), ['acme-secret-helper']);
      assert.equal(names(discoverLocal(store, { q: 'secret', audience: 'outside' })), [], 'but not to anyone outside');
    });
  }

  test('sort: trust (highest first, ties by name), name, latency (local: same as trust)', async () => {
    const store = await seeded();
    const byTrust = expect(['acme-sdlc-bot', 'acme-code-generator', 'acme-planning-bot', 'acme-secret-helper']);
    assert.equal(names(discoverLocal(store, { q: 'planning' })), byTrust);
    assert.equal(names(discoverLocal(store, { q: 'planning', sort: 'latency' })), byTrust);
    assert.equal(names(discoverLocal(store, { q: 'planning', sort: 'name' })), [...byTrust].sort());
  });

  test('limit: default 20, at most 100, bad values refused', async () => {
    const h = await impl.open();
    const store = h.index;
    for (let i = 0; i < 150; i++) await h.put(rec(`bulk-${i}`, { capabilities: ['bulk'], trust: (i % 10) / 10 }));
    assert.is(discoverLocal(store, { q: 'bulk' }).length, 20);
    assert.is(discoverLocal(store, { q: 'bulk', limit: 5 }).length, 5);
    assert.is(discoverLocal(store, { q: 'bulk', limit: 500 }).length, 100);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ q: 'bulk', limit: 0 }, /limit/], [{ q: 'bulk', limit: 2.5 }, /limit/], [{ q: '' }, /q/], [{ q: '   ' }, /q/],
      [{ q: 'x'.repeat(300) }, /longer/], [{ q: 'bulk', sort: 'random' }, /sort/], [{ q: 42 }, /q/],
    ];
    for (const [query, why] of bad) {
      try {
        discoverLocal(store, query as never);
        assert.unreachable(JSON.stringify(query));
      } catch (err) {
        assert.instance(err, StewardError);
        assert.is((err as StewardError).code, 'BAD_REQUEST');
        assert.match((err as Error).message, why);
      }
    }
  });

  test('index answers equal a brute-force scan on random agents, through replaces and deletes', async () => {
    const h = await impl.open();
    const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma', 'tau', 'rho'];
    const caps = ['plan', 'code', 'test', 'deploy', 'review'];
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pickN = <T>(from: T[], n: number) => Array.from({ length: n }, () => from[rnd(from.length)]!);
    for (let i = 0; i < 1500; i++) {
      const name = `${pickN(words, 2).join('-')}-${i % 700}`;
      if (rnd(10) === 0 && h.has(name)) {
        await h.remove(name);
        continue;
      }
      const version = `1.0.${i}`;
      await h.put(rec(name, { version, capabilities: [...new Set(pickN(caps, 1 + rnd(3)))], description: pickN(words, 4).join(' '), trust: rnd(1000) / 1000 }));
    }
    const all = h.all();
    const key = (r: AgentRecord) => impl.keyOf(r);
    const brute = (q: string) => {
      const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
      return all
        .filter((r) => r.capabilities.includes(q.toLowerCase()) || terms.every((t) => keywordTokens(r).includes(t)))
        .sort((a, b) => b.trust - a.trust || (key(a) < key(b) ? -1 : 1))
        .slice(0, 100)
        .map((r) => r.name);
    };
    const queries = [...caps, ...words, 'alpha beta', 'gamma code', 'tau rho omega', 'Delta PLAN', 'sigma 5', 'nope'];
    for (const q of queries) assert.equal(names(discoverLocal(h.index, { q, limit: 100 })), brute(q), q);
  });

  test.run();
}

const both = suite('search over the zone store and the subtree index together');
both('one answer, merged in order and deduplicated by id', async () => {
  const store = await ZoneStore.open({ zone: ZONE });
  const index = await SubtreeIndex.open({ zone: 'steward-registry.org' });
  await store.put(makeRecord('own-planner', { pub, capabilities: ['planning'], trust: 0.6 }));
  const child = (name: string, trust: number) => {
    const r = makeRecord(name, { pub, capabilities: ['planning'], trust, zone: `kids.${ZONE}` });
    return { op: 'put' as const, ref: referenceOf(r)! };
  };
  await index.apply(`kids.${ZONE}`, [child('kid-planner', 0.9), child('kid-helper', 0.1)]);
  assert.equal(names(discoverLocal([store, index], { q: 'planning' })), ['kid-planner', 'own-planner', 'kid-helper']);
  assert.equal(names(discoverLocal([store, index], { q: 'planning', sort: 'name', limit: 2 })), ['kid-helper', 'kid-planner']);
});
both.run();

// Local discover over the store's indexes: what matches, in what order, and that the
// index-driven answer equals a brute-force scan on random data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverLocal } from '../../src/discover/local.js';
import { StewardError } from '../../src/errors/index.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { keywordTokens } from '../../src/store/tokens.js';
import type { AgentRecord } from '../../src/records/types.js';
import { makeRecord, ZONE } from './fixtures.js';

async function seeded() {
  const store = await ZoneStore.open({ zone: ZONE });
  await store.put(makeRecord('acme-planning-bot', { capabilities: ['planning'], description: 'Plans sprints', trust: 0.7 }));
  await store.put(makeRecord('acme-sdlc-bot', { capabilities: ['orchestrate_sdlc', 'planning'], description: 'Runs the delivery lifecycle', trust: 0.9 }));
  await store.put(makeRecord('acme-code-generator', { capabilities: ['code_generation'], description: 'Writes code for planning tools', trust: 0.7 }));
  await store.put(makeRecord('acme-secret-helper', { capabilities: ['planning'], visibility: 'internal', trust: 0.2 }));
  return store;
}

const names = (rows: { name: string }[]) => rows.map((r) => r.name);

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
  assert.equal(names(rows), ['acme-code-generator', 'acme-planning-bot', 'acme-sdlc-bot', 'acme-secret-helper']);
  assert.equal(rows[2], {
    id: `acme-sdlc-bot.${ZONE}`, name: 'acme-sdlc-bot', namespace: 'acme-corp.com', version: '1.0.0',
    capabilities: ['orchestrate_sdlc', 'planning'], trust: 0.9,
  });
});

test('internal agents are visible to a local discover', async () => {
  const store = await seeded();
  assert.equal(names(discoverLocal(store, { q: 'secret' })), ['acme-secret-helper']);
});

test('sort: trust (highest first, ties by name), name, latency (local: same as trust)', async () => {
  const store = await seeded();
  const byTrust = ['acme-sdlc-bot', 'acme-code-generator', 'acme-planning-bot', 'acme-secret-helper'];
  assert.equal(names(discoverLocal(store, { q: 'planning' })), byTrust);
  assert.equal(names(discoverLocal(store, { q: 'planning', sort: 'latency' })), byTrust);
  assert.equal(names(discoverLocal(store, { q: 'planning', sort: 'name' })), [...byTrust].sort());
});

test('limit: default 20, at most 100, bad values refused', async () => {
  const store = await ZoneStore.open({ zone: ZONE });
  for (let i = 0; i < 150; i++) await store.put(makeRecord(`bulk-${i}`, { capabilities: ['bulk'], trust: (i % 10) / 10 }));
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
  const store = await ZoneStore.open({ zone: ZONE });
  const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma', 'tau', 'rho'];
  const caps = ['plan', 'code', 'test', 'deploy', 'review'];
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const pickN = <T>(from: T[], n: number) => Array.from({ length: n }, () => from[rnd(from.length)]!);
  for (let i = 0; i < 1500; i++) {
    const name = `${pickN(words, 2).join('-')}-${i % 700}`;
    if (rnd(10) === 0 && store.get(name)) {
      await store.remove(name);
      continue;
    }
    const version = `1.0.${i}`;
    await store.put(makeRecord(name, { version, capabilities: [...new Set(pickN(caps, 1 + rnd(3)))], description: pickN(words, 4).join(' '), trust: rnd(1000) / 1000 }));
  }
  const all: AgentRecord[] = [...store.labels()].map((l) => store.get(l)!);
  const brute = (q: string) => {
    const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    return all
      .filter((r) => r.capabilities.includes(q.toLowerCase()) || terms.every((t) => keywordTokens(r).includes(t)))
      .sort((a, b) => b.trust - a.trust || (a.name < b.name ? -1 : 1))
      .slice(0, 100)
      .map((r) => r.name);
  };
  const queries = [...caps, ...words, 'alpha beta', 'gamma code', 'tau rho omega', 'Delta PLAN', 'sigma 5', 'nope'];
  for (const q of queries) assert.equal(names(discoverLocal(store, { q, limit: 100 })), brute(q), q);
});

test.run();

// Recursive resolution over a tree of real authoritative servers: walks across
// branches, caching of answers, negative answers and referrals, coalescing, prefetch,
// loops, chain length, failures, traces.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StewardError } from '../../src/errors/index.js';
import type { Resolver } from '../../src/resolver/index.js';
import { scenario, ROOT, SEED_TREE, resolverFor, startTree, zoneName, type NodeOpts, type Tree, type ZoneSpec } from './tree.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const z = zoneName;


const walks = suite('recursive: walking the tree');

walks('every agent resolves from every node, across branches', () =>
  scenario(SEED_TREE, async (tree, node) => {
    let count = 0;
    for (const zone of tree.zones.values()) {
      const ns = zone.zone === ROOT ? '' : zone.zone.slice(0, -(ROOT.length + 1));
      const r = node(ns);
      for (const id of tree.agents) {
        const a = await r.resolve(id);
        assert.is(a.status, 'NOERROR', `${id} from ${zone.zone}`);
        if (a.status !== 'NOERROR') continue;
        assert.is(a.answer.id, id);
        assert.is(a.path.at(-1), a.zone, 'the path ends at the zone that answered');
        count++;
      }
    }
    assert.is(count, tree.zones.size * tree.agents.length);
    console.log(`    ${count} resolutions (${tree.zones.size} nodes x ${tree.agents.length} agents), ${tree.requests()} upstream requests`);
  }));

walks('path lists the zones asked: up to the common ancestor, then down', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const vibe = node('vibe-agency.com');
    const a = await vibe.resolve(`gpt-planner.${z('openai.org')}`);
    assert.equal(a.path, [z('com'), ROOT, z('org'), z('openai.org')]);
    assert.is(a.source, 'authoritative');
    const fromRoot = await node('').resolve(`claude-architect.${z('anthropic.org')}`);
    assert.equal(fromRoot.path, [ROOT, z('org'), z('anthropic.org')]);
    // A name under one of our own delegations: our zone (locally), then down.
    const fromCom = await node('com').resolve(`acme-sdlc-bot.${z('acme-corp.com')}`);
    assert.equal(fromCom.path, [z('com'), z('acme-corp.com')]);
  }));

walks('own-zone names are answered locally, with no upstream request', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const r = node('openai.org');
    const a = await r.resolve(`gpt-planner.${z('openai.org')}`);
    const nx = await r.resolve(`nobody.${z('openai.org')}`);
    assert.is(a.status, 'NOERROR');
    assert.equal(a.path, [z('openai.org')]);
    assert.is(nx.status, 'NXDOMAIN');
    assert.is(tree.requests(), 0);
  }));

walks('a second query is a cache hit: no upstream request, TTL counting down', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const r = node('vibe-agency.com');
    const name = `claude-code-agent.${z('github')}`;
    const first = await r.resolve(name);
    const before = tree.requests();
    await sleep(1100);
    const second = await r.resolve(name);
    assert.is(tree.requests(), before, 'no upstream request');
    assert.is(second.source, 'cache');
    assert.is(first.ttl, 300);
    assert.ok(second.ttl < first.ttl && second.ttl >= 298, `ttl ${first.ttl} -> ${second.ttl}`);
    assert.equal(second.path, first.path, 'a cache hit keeps the path of the walk that learnt it');
  }));

walks('the next walk starts at the closest cached referral', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const r = node('vibe-agency.com');
    await r.resolve(`gpt-planner.${z('openai.org')}`);
    const before = tree.requests();
    const sibling = await r.resolve(`gpt-code-assistant.${z('openai.org')}`);
    assert.equal(sibling.path, [z('openai.org')]);
    assert.is(tree.requests() - before, 1);
    const cousin = await r.resolve(`claude-architect.${z('anthropic.org')}`);
    assert.equal(cousin.path, [z('org'), z('anthropic.org')]);
  }));

walks('negative answers are cached, with their own TTL cap', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const r = node('acme-corp.com', { limits: { maxNegativeTtl: 30 } });
    const name = `no-such-agent.${z('openai.org')}`;
    const first = await r.resolve(name);
    assert.is(first.status, 'NXDOMAIN');
    assert.is(first.zone, z('openai.org'));
    assert.is(first.ttl, 30, 'zone says 60, capped at 30');
    const openai = tree.zone('openai.org').servers[0];
    const second = await r.resolve(name);
    assert.is(second.status, 'NXDOMAIN');
    assert.is(second.source, 'cache');
    assert.is(openai.count(name), 1, 'asked once');
  }));

walks('positive TTLs are capped too', () =>
  scenario({ ns: '', children: [{ ns: 'big', agents: ['x'], ttl: { agent: 999_999 } }] }, async (_tree, node) => {
    const r = node('', { limits: { maxTtl: 600 } });
    const a = await r.resolve(`x.${z('big')}`);
    assert.is(a.ttl, 600);
  }));

walks('a zone with a dead replica: every query answered, the dead one soon avoided', () =>
  scenario({ ns: '', children: [{ ns: 'rep', agents: ['a'], servers: 2 }] }, async (tree, node) => {
    const [dead, live] = tree.zone('rep').servers;
    await dead.stop();
    const r = node('', { upstream: { failuresBeforeHoldDown: 3 } });
    let failedAttempts = 0;
    for (let i = 0; i < 40; i++) {
      const a = await r.resolve(`n${i}.${z('rep')}`, { trace: true }); // distinct names: a walk each
      assert.is(a.status, 'NXDOMAIN');
      failedAttempts += a.trace!.filter((s) => s.outcome === 'FAILED').length;
    }
    assert.ok(failedAttempts <= 3, `dead replica asked ${failedAttempts} times`);
    assert.is(live.requests, 40);
  }));

const concurrency = suite('recursive: coalescing and prefetch');

concurrency('100 concurrent identical queries make one upstream request', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const openai = tree.zone('openai.org').servers[0];
    openai.delayMs = 50;
    const r = node('vibe-agency.com');
    const name = `gpt-planner.${z('openai.org')}`;
    const answers = await Promise.all(Array.from({ length: 100 }, () => r.resolve(name)));
    assert.ok(answers.every((a) => a.status === 'NOERROR'));
    assert.is(openai.count(name), 1);
    assert.is(tree.requests(), 4, 'com, root, org, openai: once each');
    assert.is(r.stats().walks, 1);
  }));

concurrency('a hit in the last part of the TTL refreshes the entry before it expires', () =>
  scenario({ ns: '', children: [{ ns: 'p', agents: ['hot'], ttl: { agent: 2 } }] }, async (tree, node) => {
    const r = node('', { limits: { prefetchFraction: 0.25 } });
    const name = `hot.${z('p')}`;
    const srv = tree.zone('p').servers[0];
    await r.resolve(name);
    await sleep(1000);
    assert.is((await r.resolve(name)).source, 'cache');
    assert.is(srv.count(name), 1, 'no prefetch with half the TTL left');
    await sleep(600); // now in the last 25% of the 2 s TTL
    const hit = await r.resolve(name);
    assert.is(hit.source, 'cache', 'still answered from cache at once');
    await sleep(100);
    assert.is(srv.count(name), 2, 'refreshed in the background');
    await sleep(500); // past the original expiry
    const after = await r.resolve(name);
    assert.is(after.source, 'cache', 'the refreshed entry answers; no miss at expiry');
    assert.is(srv.count(name), 2);
    assert.is(r.stats().prefetches, 1);
  }));

const errors = suite('recursive: loops, limits, failures');

errors('a referral that is not closer to the name is a loop', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const com = tree.zone('com').servers[0];
    // com refers names of vibe-agency.com sideways to acme-corp.com.
    com.override = (name) => (name.endsWith(z('vibe-agency.com')) ? { status: 'REFERRAL', name, referral: { zone: z('acme-corp.com'), endpoints: tree.zone('acme-corp.com').endpoints, ttl: 60 } } : undefined);
    const r = node('openai.org');
    const err = await r.resolve(`vibe-agency-coder.${z('vibe-agency.com')}`).catch((e) => e);
    assert.instance(err, StewardError);
    assert.is(err.code, 'LOOP_DETECTED');
    assert.is(err.status, 502);
    assert.match(err.message, 'not closer');
  }));

errors('a zone referring a name of its own zone back up is a loop', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const openai = tree.zone('openai.org').servers[0];
    openai.override = (name) => ({ status: 'REFERRAL', name, referral: { zone: z('org'), endpoints: tree.zone('org').endpoints, ttl: 60 } });
    const err = await node('com').resolve(`gpt-planner.${z('openai.org')}`).catch((e) => e);
    assert.is(err.code, 'LOOP_DETECTED');
  }));

const DEEP: ZoneSpec = { ns: '', children: [{ ns: 'e', children: [{ ns: 'd.e', children: [{ ns: 'c.d.e', children: [{ ns: 'b.c.d.e', agents: ['deep'] }] }] }] }] };

errors('a referral chain longer than the limit is refused', () =>
  scenario(DEEP, async (_tree, node) => {
    const name = `deep.${z('b.c.d.e')}`;
    const err = await node('', { limits: { maxReferrals: 3 } }).resolve(name).catch((e) => e);
    assert.is(err.code, 'TOO_MANY_REFERRALS');
    const ok = await node('', { limits: { maxReferrals: 4 } }).resolve(name);
    assert.is(ok.status, 'NOERROR');
    assert.is(ok.path?.length, 5);
  }));

errors('a walk has one deadline over all its hops: slow zones end in UPSTREAM_TIMEOUT, not a long wait', () =>
  scenario(DEEP, async (tree, node) => {
    for (const ns of ['e', 'd.e', 'c.d.e', 'b.c.d.e']) tree.zone(ns).servers[0].delayMs = 150;
    const name = `deep.${z('b.c.d.e')}`;
    const started = performance.now();
    const err = await node('', { limits: { deadlineMs: 400 }, upstream: { timeoutMs: 2_000 } }).resolve(name).catch((e) => e);
    const took = performance.now() - started;
    assert.is(err.code, 'UPSTREAM_TIMEOUT', err.message);
    assert.is(err.status, 504);
    assert.match(err.message, /longer than 400 ms/);
    assert.ok(took < 900, `gave up after ${Math.round(took)} ms`);
    const ok = await node('', { limits: { deadlineMs: 5_000 } }).resolve(name);
    assert.is(ok.status, 'NOERROR', 'the same walk within a longer deadline');
  }));

errors('upstream down and nothing cached: SERVFAIL (502); hung: UPSTREAM_TIMEOUT (504)', () =>
  scenario(SEED_TREE, async (tree, node) => {
    await tree.zone('openai.org').servers[0].stop();
    const down = await node('com').resolve(`gpt-planner.${z('openai.org')}`).catch((e) => e);
    assert.is(down.code, 'SERVFAIL');
    assert.is(down.status, 502);
    tree.zone('anthropic.org').servers[0].mode = 'hang';
    const hung = await node('com', { upstream: { timeoutMs: 200 } }).resolve(`claude-architect.${z('anthropic.org')}`).catch((e) => e);
    assert.is(hung.code, 'UPSTREAM_TIMEOUT');
    assert.is(hung.status, 504);
  }));

errors('close() does not wait for a hung upstream: the query in flight fails, nothing hangs', async () => {
  const tree = await startTree(SEED_TREE);
  try {
    tree.zone('openai.org').servers[0].mode = 'hang';
    const r = resolverFor(tree, 'com', { upstream: { timeoutMs: 10_000 } });
    const pending = r.resolve(`gpt-planner.${z('openai.org')}`).then(() => 'answered', (e) => e.code);
    await sleep(100);
    const started = Date.now();
    await r.close();
    assert.ok(Date.now() - started < 2_500, `close took ${Date.now() - started} ms`);
    assert.is(await pending, 'SERVFAIL');
    const after = await r.resolve(`gpt-planner.${z('openai.org')}`).catch((e) => e.code);
    assert.is(after, 'SERVFAIL', 'a closed resolver refuses queries');
  } finally {
    await tree.close();
  }
});

errors('bad input is a clear 4xx', () =>
  scenario({ ns: '' }, async (_tree, node) => {
    const r = node('');
    const bad = await r.resolve('no_underscores.steward-registry.org').catch((e) => e);
    assert.is(bad.code, 'BAD_NAME');
    assert.is(bad.status, 400);
    const outside = await r.resolve('agent.example.com').catch((e) => e);
    assert.is(outside.code, 'NOT_AUTHORITATIVE');
  }));

const traces = suite('recursive: trace');

traces('a trace lists each zone asked, the referrals, and cache hits', () =>
  scenario(SEED_TREE, async (_tree, node) => {
    const r = node('vibe-agency.com');
    const name = `gpt-planner.${z('openai.org')}`;
    const plain = await r.resolve(`vibe-agency-coder.${z('vibe-agency.com')}`);
    assert.is('trace' in plain, false, 'no trace unless asked');
    const a = await r.resolve(name, { trace: true });
    const steps = a.trace!;
    assert.equal(steps.map((s) => [s.kind, s.zone, s.outcome, s.referral]), [
      ['query', z('com'), 'REFERRAL', ROOT],
      ['query', ROOT, 'REFERRAL', z('org')],
      ['query', z('org'), 'REFERRAL', z('openai.org')],
      ['query', z('openai.org'), 'NOERROR', undefined],
    ]);
    assert.ok(steps.every((s) => s.endpoint && typeof s.rtt_ms === 'number'));
    const again = await r.resolve(name, { trace: true });
    assert.equal(again.trace!.map((s) => [s.kind, s.zone, s.outcome]), [['cache', z('openai.org'), 'NOERROR']]);
    const sibling = await r.resolve(`gpt-code-assistant.${z('openai.org')}`, { trace: true });
    // A cached referral names the zone it was learnt from and the zone it points to.
    assert.equal(sibling.trace!.map((s) => [s.kind, s.zone, s.outcome, s.referral]), [
      ['cache', z('org'), 'REFERRAL', z('openai.org')],
      ['query', z('openai.org'), 'NOERROR', undefined],
    ]);
  }));

walks.run();
concurrency.run();
errors.run();
traces.run();

// Serve-stale (RFC 8767): expired answers are served, marked "stale" with a short TTL,
// when the authoritative zone is down or slow — but only within the stale bound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Resolver } from '../../src/resolver/index.js';
import { resolverFor, startTree, zoneName, type NodeOpts, type Tree, type ZoneSpec } from './tree.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A 1-second agent TTL so entries expire quickly; referrals live long.
const SPEC: ZoneSpec = { ns: '', children: [{ ns: 'acme', agents: ['bot', 'other'], ttl: { agent: 1, negative: 1 } }] };
const NAME = `bot.${zoneName('acme')}`;

async function scenario(o: NodeOpts, fn: (t: Tree, r: Resolver) => Promise<void>) {
  const tree = await startTree(SPEC);
  const r = resolverFor(tree, '', o);
  try {
    await fn(tree, r);
  } finally {
    await r.close();
    await tree.close();
  }
}

test('authoritative node stopped: the expired answer is served stale, at once', () =>
  scenario({ limits: { staleMaxSeconds: 60, staleTtl: 30 } }, async (tree, r) => {
    const fresh = await r.resolve(NAME);
    assert.is(fresh.source, 'authoritative');
    await tree.zone('acme').servers[0].stop();
    await sleep(1100);
    const started = Date.now();
    const stale = await r.resolve(NAME, { trace: true });
    assert.is(stale.status, 'NOERROR');
    assert.is(stale.source, 'stale');
    assert.is(stale.ttl, 30);
    assert.equal(stale.status === 'NOERROR' && stale.answer, fresh.status === 'NOERROR' && fresh.answer);
    assert.ok(Date.now() - started < 500, 'a refused connection does not wait for the client timeout');
    assert.equal(stale.trace!.map((s) => [s.kind, s.outcome]), [['local', 'REFERRAL'], ['query', 'FAILED'], ['stale', 'NOERROR']]);
    assert.is(r.stats().staleServed, 1);
  }));

test('stale answers stop after the stale bound: then SERVFAIL', () =>
  scenario({ limits: { staleMaxSeconds: 1, staleRefreshMs: 0 } }, async (tree, r) => {
    await r.resolve(NAME);
    await tree.zone('acme').servers[0].stop();
    await sleep(1300); // expired 0.3 s ago: within the 1 s bound
    assert.is((await r.resolve(NAME)).source, 'stale');
    await sleep(1000); // expired 1.3 s ago: past it
    const err = await r.resolve(NAME).catch((e) => e);
    assert.is(err.code, 'SERVFAIL');
  }));

test('a slow upstream: stale after the client timeout, fresh once the refresh lands', () =>
  scenario({ limits: { staleAfterMs: 150 } }, async (tree, r) => {
    const srv = tree.zone('acme').servers[0];
    await r.resolve(NAME);
    await sleep(1100);
    srv.delayMs = 500;
    const started = Date.now();
    const stale = await r.resolve(NAME);
    const waited = Date.now() - started;
    assert.is(stale.source, 'stale');
    assert.ok(waited >= 140 && waited < 450, `answered after ${waited} ms`);
    await sleep(600); // the walk finished in the background and refreshed the cache
    const after = await r.resolve(NAME);
    assert.is(after.source, 'cache');
    assert.is(srv.count(NAME), 2);
  }));

test('after a failed refresh, stale is served without asking again for a while', () =>
  scenario({ limits: { staleRefreshMs: 5_000 } }, async (tree, r) => {
    const srv = tree.zone('acme').servers[0];
    await r.resolve(NAME);
    srv.mode = 'error';
    await sleep(1100);
    assert.is((await r.resolve(NAME)).source, 'stale');
    const asked = srv.count(NAME);
    for (let i = 0; i < 10; i++) assert.is((await r.resolve(NAME)).source, 'stale');
    assert.is(srv.count(NAME), asked, 'no new upstream request inside the stale-refresh window');
  }));

test('negative answers are served stale too', () =>
  scenario({}, async (tree, r) => {
    const name = `ghost.${zoneName('acme')}`;
    assert.is((await r.resolve(name)).status, 'NXDOMAIN');
    await tree.zone('acme').servers[0].stop();
    await sleep(1100);
    const stale = await r.resolve(name);
    assert.is(stale.status, 'NXDOMAIN');
    assert.is(stale.source, 'stale');
  }));

test('with stale serving off (bound 0), an expired entry is not served', () =>
  scenario({ limits: { staleMaxSeconds: 0 } }, async (tree, r) => {
    await r.resolve(NAME);
    await tree.zone('acme').servers[0].stop();
    await sleep(1100);
    const err = await r.resolve(NAME).catch((e) => e);
    assert.is(err.code, 'SERVFAIL');
  }));

test.run();

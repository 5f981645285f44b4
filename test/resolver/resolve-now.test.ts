// resolveNow(): stages 1 and 2 without a promise, for the HTTP hot path. It answers
// exactly when resolve() would answer from this zone or a fresh in-process cache entry,
// with the same answer, hit counter and prefetch; otherwise it returns undefined, asks
// nobody and counts nothing (resolve() then does, once).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StewardError } from '../../src/errors/index.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import type { Resolver } from '../../src/resolver/index.js';
import { scenario, resolverFor, SEED_TREE, startTree, zoneName as z, type NodeOpts, type Tree, type ZoneSpec } from './tree.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function counter(m: Metrics, which: 'cacheHits' | 'cacheMisses', kind: string): Promise<number> {
  const v = (await m[which].get()).values.find((x) => x.labels.kind === kind);
  return v?.value ?? 0;
}

const t = suite('resolveNow');

t('own zone: the same answers as resolve(), no upstream request', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const r = node('openai.org');
    for (const name of [`gpt-planner.${z('openai.org')}`, `nobody.${z('openai.org')}`]) {
      assert.equal(r.resolveNow(name), await r.resolve(name), name);
    }
    assert.equal(r.resolveNow(`GPT-Planner.${z('openai.org')}.`), await r.resolve(`gpt-planner.${z('openai.org')}`), 'names are normalised');
    assert.is(tree.requests(), 0);
  }));

t('another branch: undefined (nothing asked, nothing counted) until a walk caches it, then the cache answer', () =>
  scenario(SEED_TREE, async (tree, node) => {
    const metrics = createMetrics();
    const r = node('vibe-agency.com', { metrics });
    const name = `claude-architect.${z('anthropic.org')}`;
    assert.is(r.resolveNow(name), undefined);
    assert.is(tree.requests(), 0);
    assert.is(await counter(metrics, 'cacheMisses', 'answer'), 0, 'a miss is counted by resolve(), not here');
    const walked = await r.resolve(name);
    assert.is(walked.source, 'authoritative');
    const requests = tree.requests();
    const now = r.resolveNow(name);
    assert.ok(now, 'a fresh in-process entry is answered at once');
    assert.is(now!.source, 'cache');
    assert.equal(now, await r.resolve(name), 'the same answer resolve() gives');
    assert.equal(now!.path, walked.path);
    assert.is(await counter(metrics, 'cacheHits', 'answer'), 2);
    assert.is(tree.requests(), requests);
    const traced = r.resolveNow(name, { trace: true });
    assert.equal(traced?.trace?.map((s) => s.kind), ['cache']);
    const nx = `nobody.${z('anthropic.org')}`;
    await r.resolve(nx);
    assert.is(r.resolveNow(nx)?.status, 'NXDOMAIN', 'negative answers too');
  }));

t('a name under our own delegation needs a walk first', () =>
  scenario(SEED_TREE, async (_tree, node) => {
    const r = node('com');
    const name = `acme-sdlc-bot.${z('acme-corp.com')}`;
    assert.is(r.resolveNow(name), undefined);
    await r.resolve(name);
    assert.is(r.resolveNow(name)?.source, 'cache');
  }));

t('bad names and names outside the root fail as in resolve()', () =>
  scenario(SEED_TREE, async (_tree, node) => {
    const r = node('org');
    for (const [name, code] of [['a..b', 'BAD_NAME'], ['x.example.com', 'NOT_AUTHORITATIVE']] as const) {
      const err = (() => {
        try {
          r.resolveNow(name);
        } catch (e) {
          return e;
        }
      })();
      assert.instance(err, StewardError, name);
      assert.is((err as StewardError).code, code);
      const viaResolve = await r.resolve(name).catch((e) => e);
      assert.is(viaResolve.message, (err as Error).message);
    }
  }));

t('expired entries are left to resolve() (stale handling); hits near expiry prefetch', () =>
  scenario({ ns: '', children: [{ ns: 'p', agents: ['hot'], ttl: { agent: 2 } }] }, async (tree, node) => {
    const r = node('', { limits: { prefetchFraction: 0.25 } });
    const name = `hot.${z('p')}`;
    const srv = tree.zone('p').servers[0];
    await r.resolve(name);
    await sleep(1_600); // in the last 25 % of the 2 s TTL
    assert.is(r.resolveNow(name)?.source, 'cache');
    await sleep(150);
    assert.is(srv.count(name), 2, 'refreshed in the background');
    assert.is(r.stats().prefetches, 1);
    await sleep(2_100); // the refreshed entry has expired too
    assert.is(r.resolveNow(name), undefined);
    assert.is((await r.resolve(name)).status, 'NOERROR');
  }));

t.run();

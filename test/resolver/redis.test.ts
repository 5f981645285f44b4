// The shared tier with a real redis-server: nodes of one site learn from each other,
// entries expire in Redis on their own, and a Redis that dies, comes back or stops
// answering never fails or hangs a query.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import type { Resolver } from '../../src/resolver/index.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { ROOT, SEED_TREE, resolverFor, startTree, zoneName as z, type Tree } from './tree.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scenario(fn: (ctx: { tree: Tree; redis: TestRedis; a: Resolver; b: Resolver }) => Promise<void>) {
  const redis = await startRedis();
  const tree = await startTree(SEED_TREE);
  // Two nodes of the same site (different zones), one Redis.
  const a = resolverFor(tree, 'vibe-agency.com', { redisUrl: redis.url, limits: { staleMaxSeconds: 600 } });
  const b = resolverFor(tree, 'acme-corp.com', { redisUrl: redis.url, limits: { staleMaxSeconds: 600 } });
  try {
    await until(() => a.cacheState().shared === 'up' && b.cacheState().shared === 'up', 'both nodes connected to Redis');
    await fn({ tree, redis, a, b });
  } finally {
    await Promise.all([a.close(), b.close()]);
    await tree.close();
    await redis.stop();
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('after one node resolves a name, another node of the site resolves it with no upstream request', () =>
  scenario(async ({ tree, a, b }) => {
    const name = `gpt-planner.${z('openai.org')}`;
    const first = await a.resolve(name);
    assert.is(first.source, 'authoritative');
    const before = tree.requests();
    const second = await b.resolve(name);
    assert.is(tree.requests(), before, 'no upstream request');
    assert.is(second.source, 'cache');
    assert.equal(second.path, first.path);
    // The referrals node A learnt are shared too: B starts at openai.org for a sibling.
    const sibling = await b.resolve(`gpt-code-assistant.${z('openai.org')}`);
    assert.equal(sibling.path, [z('openai.org')]);
    assert.is(tree.requests() - before, 1);
  }));

test('entries in Redis carry expiries of TTL + stale window', () =>
  scenario(async ({ redis, a }) => {
    await a.resolve(`claude-architect.${z('anthropic.org')}`);
    await a.resolve(`nobody.${z('anthropic.org')}`);
    const client = new Redis(redis.url);
    const keys = (await client.keys('steward:cache:*')).sort();
    assert.equal(keys, [
      `steward:cache:ans:claude-architect.${z('anthropic.org')}`,
      `steward:cache:ans:nobody.${z('anthropic.org')}`,
      `steward:cache:ref:${z('anthropic.org')}`,
      `steward:cache:ref:${z('org')}`,
      `steward:cache:ref:${ROOT}`,
    ]);
    const stale = 600_000;
    const expect: Record<string, number> = {
      [keys[0]]: 300_000 + stale, // agent TTL
      [keys[1]]: 60_000 + stale, // negative TTL
      [keys[2]]: 3_600_000 + stale, // referral TTL
    };
    for (const k of keys) {
      const pttl = await client.pttl(k);
      const max = expect[k] ?? 3_600_000 + stale;
      assert.ok(pttl > max - 5_000 && pttl <= max, `${k}: PTTL ${pttl}, expected about ${max}`);
    }
    await client.quit();
  }));

test('Redis killed mid-test and restarted: zero failed queries, and Redis is used again', () =>
  scenario(async ({ tree, redis, a, b }) => {
    const names = [...tree.agents, ...Array.from({ length: 20 }, (_, i) => `ghost-${i}.${z('openai.org')}`)];
    let ok = 0;
    const failures: string[] = [];
    let worst = 0;
    let stop = false;
    const load = async (r: Resolver, offset: number) => {
      for (let i = offset; !stop; i++) {
        const name = names[i % names.length];
        const t = performance.now();
        try {
          await r.resolve(name);
          ok++;
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message}`);
        }
        worst = Math.max(worst, performance.now() - t);
        if (i % 10 === 0) await sleep(5);
      }
    };
    const loops = [load(a, 0), load(b, 7), load(a, 13), load(b, 21)];
    await sleep(400);
    await redis.kill();
    await sleep(800);
    assert.is(a.cacheState().shared, 'down');
    await redis.restart();
    await until(() => a.cacheState().shared === 'up' && b.cacheState().shared === 'up', 'reconnect after restart');
    await sleep(300);
    stop = true;
    await Promise.all(loops);
    assert.equal(failures, [], 'no query failed');
    console.log(`    ${ok} queries through a Redis kill + restart, 0 failed, slowest ${worst.toFixed(1)} ms`);

    // The restarted Redis is empty; it is written to and shared again.
    const name = `new-after-restart.${z('github')}`;
    await a.resolve(name);
    const mid = tree.requests();
    const shared = await b.resolve(name);
    assert.is(shared.source, 'cache');
    assert.is(tree.requests(), mid, 'B answered from Redis after the restart');
  }));

test('a Redis that stops answering (SIGSTOP) slows no query beyond the command timeout', () =>
  scenario(async ({ tree, redis, a }) => {
    redis.pause();
    try {
      let worst = 0;
      for (const name of [...tree.agents, ...tree.agents]) {
        const t = performance.now();
        const ans = await a.resolve(name);
        assert.is(ans.status, 'NOERROR');
        worst = Math.max(worst, performance.now() - t);
      }
      assert.ok(worst < 800, `slowest query ${worst.toFixed(0)} ms`);
      console.log(`    Redis paused: ${tree.agents.length * 2} queries, slowest ${worst.toFixed(1)} ms`);
    } finally {
      redis.resume();
    }
    await until(() => a.cacheState().shared === 'up', 'Redis used again after resume');
  }));

test.run();

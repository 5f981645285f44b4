// One suite, run against every ResolverCache: in-process, Redis, and the two tiers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryCache, RedisCache, TieredCache, remainingTtl, type CacheEntry, type ResolverCache } from '../../src/resolver/cache/index.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { testRecord } from './tree.js';

const NAME = 'a.x.steward-registry.org';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function answerEntry(ttlS: number, staleS: number, now = Date.now()): CacheEntry {
  const expiresAt = now + ttlS * 1000;
  return {
    kind: 'answer',
    value: { status: 'NOERROR', name: NAME, answer: testRecord('a', 'x.steward-registry.org'), ttl: ttlS, source: 'authoritative', zone: 'x.steward-registry.org', path: ['x.steward-registry.org'] },
    ttl: ttlS,
    expiresAt,
    staleUntil: expiresAt + staleS * 1000,
    path: ['steward-registry.org', 'x.steward-registry.org'],
  };
}

function shared(label: string, make: () => Promise<ResolverCache>, extra?: (s: ReturnType<typeof suite<{ cache: ResolverCache }>>) => void) {
  const s = suite<{ cache: ResolverCache }>(`cache: ${label}`, {} as { cache: ResolverCache });
  s.before.each(async (ctx) => {
    ctx.cache = await make();
  });
  s.after.each(async (ctx) => {
    await ctx.cache.close();
  });

  s('stores and returns an entry, unchanged', async ({ cache }) => {
    const e = answerEntry(60, 60);
    await cache.set('ans:k1', e);
    assert.equal(await cache.get('ans:k1'), e);
    assert.is(await cache.get('ans:other'), undefined);
  });

  s('TTL counts down from the stored absolute expiry', async ({ cache }) => {
    await cache.set('ans:k2', answerEntry(3, 0));
    const first = remainingTtl((await cache.get('ans:k2'))!, Date.now());
    await sleep(1100);
    const later = remainingTtl((await cache.get('ans:k2'))!, Date.now());
    assert.is(first, 3);
    assert.ok(later < first, `ttl went from ${first} to ${later}`);
  });

  s('an expired entry is still returned within its stale window, then dropped', async ({ cache }) => {
    await cache.set('ans:k3', answerEntry(0.2, 0.4));
    await sleep(300);
    const stale = await cache.get('ans:k3');
    assert.ok(stale, 'kept while stale');
    assert.ok(stale!.expiresAt < Date.now());
    await sleep(400);
    assert.is(await cache.get('ans:k3'), undefined);
  });

  s('an entry already past its stale bound is not stored', async ({ cache }) => {
    await cache.set('ans:k4', answerEntry(-2, 1));
    assert.is(await cache.get('ans:k4'), undefined);
  });

  s('delete removes the entry', async ({ cache }) => {
    await cache.set('ans:k5', answerEntry(60, 0));
    await cache.delete('ans:k5');
    assert.is(await cache.get('ans:k5'), undefined);
  });

  extra?.(s);
  return s;
}

const memory = shared('memory', async () => new MemoryCache({ entries: 100 }), (s) => {
  s('memory is bounded: the least recently used entry goes first', async () => {
    const c = new MemoryCache({ entries: 2 });
    await c.set('a', answerEntry(60, 0));
    await c.set('b', answerEntry(60, 0));
    await c.get('a');
    await c.set('c', answerEntry(60, 0));
    assert.ok(await c.get('a'));
    assert.is(await c.get('b'), undefined);
    assert.is(c.size, 2);
  });
});

// Each Redis-backed suite gets its own redis-server, started before and stopped after it.
let redis: TestRedis;
const opened: RedisCache[] = [];
async function connectedRedis(prefix: string): Promise<RedisCache> {
  const c = new RedisCache({ url: redis.url, keyPrefix: prefix });
  opened.push(c);
  for (let i = 0; i < 100 && !c.connected; i++) await sleep(10);
  return c;
}
function withRedis(s: ReturnType<typeof suite<{ cache: ResolverCache }>>) {
  s.before(async () => {
    redis = await startRedis();
  });
  s.after(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
    await redis.stop();
  });
}

const onRedis = shared('redis', async () => connectedRedis(`t${Math.random()}:`), (s) => {
  withRedis(s);
  s('Redis keeps the entry with an expiry of ttl + stale window (PX)', async () => {
    const c = await connectedRedis('px:');
    await c.set('ans:px', answerEntry(10, 20));
    const pttl = (await c.pttl('ans:px'))!;
    assert.ok(pttl > 29_000 && pttl <= 30_000, `pttl ${pttl}`);
  });

  s('a Redis that is not there is a miss, never an error', async () => {
    const c = new RedisCache({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 100 });
    const started = Date.now();
    await c.set('ans:x', answerEntry(10, 0));
    assert.is(await c.get('ans:x'), undefined);
    await c.delete('ans:x');
    assert.ok(Date.now() - started < 100, 'answers at once');
    await c.close();
  });
});

const tiered = shared('memory+redis', async () => new TieredCache(new MemoryCache({ entries: 100 }), await connectedRedis(`tt${Math.random()}:`)), (s) => {
  withRedis(s);
  s('a hit in Redis fills the in-process tier', async () => {
    const prefix = `fill${Math.random()}:`;
    const writer = new TieredCache(new MemoryCache({ entries: 10 }), await connectedRedis(prefix));
    const near = new MemoryCache({ entries: 10 });
    const reader = new TieredCache(near, await connectedRedis(prefix));
    await writer.set('ans:f', answerEntry(60, 0));
    assert.is(await near.get('ans:f'), undefined);
    assert.ok(await reader.get('ans:f'), 'found through Redis');
    assert.ok(await near.get('ans:f'), 'copied into memory');
  });

  s('a fresher entry in Redis wins over a stale one in memory', async () => {
    const near = new MemoryCache({ entries: 10 });
    const far = await connectedRedis(`fresh${Math.random()}:`);
    const c = new TieredCache(near, far);
    await near.set('ans:w', answerEntry(-1, 60));
    await far.set('ans:w', answerEntry(60, 0));
    const got = await c.get('ans:w');
    assert.ok(got!.expiresAt > Date.now());
  });
});

memory.run();
onRedis.run();
tiered.run();

// One suite, run against every NonceStore: in process and Redis (a real redis-server).
// Then what only one of them does: memory refuses when full of live nonces, Redis
// refuses when stopped, paused or not yet connected — never answering "not seen".
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StewardError } from '../../src/errors/index.js';
import { MemoryNonceStore, RedisNonceStore, type NonceStore } from '../../src/pki/httpsig/index.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const key = () => `sha256:${'0'.repeat(64)}:nonce-${process.pid}-${n++}-${Math.random()}`;

async function downCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof StewardError ? `${err.status} ${err.code}` : String(err);
  }
}

function shared(label: string, make: () => Promise<NonceStore>) {
  const s = suite<{ store: NonceStore }>(`nonce store: ${label}`, {} as { store: NonceStore });
  s.before.each(async (ctx) => {
    ctx.store = await make();
  });
  s.after.each(async (ctx) => {
    await ctx.store.close();
  });

  s('a nonce is accepted once, then refused', async ({ store }) => {
    const k = key();
    assert.is(await store.claim(k, 60), true);
    assert.is(await store.claim(k, 60), false);
    assert.is(await store.claim(k, 60), false);
    assert.is(await store.claim(key(), 60), true, 'another nonce is independent');
  });

  s('50 concurrent claims of one nonce: exactly one wins', async ({ store }) => {
    const k = key();
    const wins = (await Promise.all(Array.from({ length: 50 }, () => store.claim(k, 60)))).filter(Boolean);
    assert.is(wins.length, 1);
  });

  s('a nonce is forgotten after its TTL, not before', async ({ store }) => {
    const k = key();
    const t0 = Date.now();
    assert.is(await store.claim(k, 2), true);
    await sleep(300);
    if (Date.now() - t0 < 1500) assert.is(await store.claim(k, 2), false, 'still inside the TTL');
    await sleep(2500 - (Date.now() - t0));
    assert.is(await store.claim(k, 2), true, 'claimable again after it');
  });

  s('1,000 distinct nonces all accepted, each exactly once', async ({ store }) => {
    const keys = Array.from({ length: 1000 }, key);
    // 100 in flight at a time: 1,000 at once on a loaded 2-core machine can outlast the
    // store's 200 ms command timeout, which is the store refusing (by design), not a double claim.
    const inBatches = async () => {
      const out: boolean[] = [];
      for (let i = 0; i < keys.length; i += 100) out.push(...(await Promise.all(keys.slice(i, i + 100).map((k) => store.claim(k, 60)))));
      return out;
    };
    const first = await inBatches();
    const again = await inBatches();
    assert.is(first.filter(Boolean).length, 1000);
    assert.is(again.filter(Boolean).length, 0);
  });

  return s;
}

shared('memory', async () => new MemoryNonceStore()).run();

let redis: TestRedis | undefined;
const r = shared('redis', async () => {
  const store = new RedisNonceStore({ url: redis!.url, keyPrefix: `t${process.pid}:` });
  await store.ready();
  return store;
});
r.before(async () => {
  redis = await startRedis();
});
r.after(async () => {
  await redis?.stop();
});
r.run();

const only = suite('nonce store: implementation specifics');

only('memory: full of live nonces → 503 NONCE_STORE_DOWN, never an eviction; room again once they expire', async () => {
  let now = 1_000_000;
  const store = new MemoryNonceStore({ maxEntries: 3, now: () => now });
  for (const k of ['a', 'b', 'c']) assert.is(await store.claim(k, 10), true);
  assert.is(await downCode(store.claim('d', 10)), '503 NONCE_STORE_DOWN');
  assert.is(await store.claim('a', 10), false, 'the live ones are all still remembered');
  now += 11_000;
  assert.is(await store.claim('d', 10), true);
  assert.is(store.size, 1, 'expired nonces were swept');
  now += 30 * 86_400_000; // a long idle gap sweeps by bucket, not second by second
  assert.is(await store.claim('e', 10), true);
  assert.is(store.size, 1);
});

only('memory: a nonce re-claimed after expiry survives the sweep of its old bucket', async () => {
  let now = 4_999_500;
  const store = new MemoryNonceStore({ now: () => now });
  assert.is(await store.claim('k', 1), true); // expires at 5_000_500, in the bucket of second 5001
  now = 5_000_700; // expired, its bucket not swept yet
  assert.is(await store.claim('k', 5), true);
  now = 5_001_200; // second 5001's bucket is swept now
  assert.is(await store.claim('k', 5), false);
});

only('redis: SET NX EX with the TTL asked for', async () => {
  const srv = await startRedis();
  const store = new RedisNonceStore({ url: srv.url });
  try {
    await store.ready();
    assert.is(await store.claim('ttl-check', 120), true);
    const ttl = await store.ttl('ttl-check');
    assert.ok(ttl > 110 && ttl <= 120, `ttl ${ttl}`);
  } finally {
    await store.close();
    await srv.stop();
  }
});

only('redis configured but stopped, paused or unreachable → 503 NONCE_STORE_DOWN, never accepted', async () => {
  const srv = await startRedis();
  const store = new RedisNonceStore({ url: srv.url, commandTimeoutMs: 150 });
  try {
    await store.ready();
    assert.is(await store.claim('before', 60), true);

    srv.pause(); // up, but not answering
    const t0 = Date.now();
    assert.is(await downCode(store.claim('paused', 60)), '503 NONCE_STORE_DOWN');
    assert.ok(Date.now() - t0 < 2_000, 'bounded by the command timeout (150 ms; slack for a loaded machine)');
    srv.resume();
    await sleep(50);

    await srv.kill();
    await sleep(100);
    for (let i = 0; i < 20; i++) assert.is(await downCode(store.claim(`stopped-${i}`, 60)), '503 NONCE_STORE_DOWN');
    assert.is(await downCode(store.claim('before', 60)), '503 NONCE_STORE_DOWN', 'not even a known nonce gets an answer');

    await srv.restart();
    await store.ready(5_000);
    assert.is(await store.claim('after', 60), true, 'serves again once Redis is back');
  } finally {
    await store.close();
    await srv.stop();
  }
  const never = new RedisNonceStore({ url: 'redis://127.0.0.1:9', connectTimeoutMs: 200 });
  assert.is(await downCode(never.claim('x', 60)), '503 NONCE_STORE_DOWN', 'nothing listening');
  assert.is(await downCode(never.ready(300)), '503 NONCE_STORE_DOWN');
  await never.close();
});

only.run();

// Redis Sentinel through REDIS_URL=redis+sentinel://host:port/mymaster: the client asks the
// sentinel for the master, and after a failover it follows the new master by itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RedisNonceStore } from '../../src/pki/httpsig/nonce/index.js';
import { RedisCache } from '../../src/resolver/index.js';
import { redisAvailable } from '../helpers/redis.js';
import { redisCli, startRedisSentinel } from '../helpers/redis-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the nonce store and the cache work through Sentinel and follow a failover', async () => {
  if (!redisAvailable()) return console.log('  (skipped: no redis-server)');
  const sentinel = await startRedisSentinel();
  const nonces = new RedisNonceStore({ url: sentinel.url });
  const cache = new RedisCache({ url: sentinel.url });
  try {
    await nonces.ready(20_000);
    assert.is(await nonces.claim('kid:n1', 60), true);
    assert.is(await nonces.claim('kid:n1', 60), false, 'a replay is refused');
    const master = await sentinel.masterPort();
    assert.is((await redisCli(master, 'exists', 'steward:nonce:kid:n1')).trim(), '1', 'written to the master the sentinel names');

    const after = await sentinel.failover();
    assert.is.not(after, master);
    // Until the client has moved, a claim may fail with NONCE_STORE_DOWN (never a wrong answer).
    const end = Date.now() + 30_000;
    let claimed: boolean | undefined;
    for (let i = 0; claimed === undefined && Date.now() < end; i++) {
      claimed = await nonces.claim(`kid:after-${i}`, 60).catch((err) => {
        assert.is((err as { code: string }).code, 'NONCE_STORE_DOWN');
        return sleep(100).then(() => undefined);
      });
    }
    assert.is(claimed, true, 'claims work again after the failover');
    assert.is(await nonces.claim('kid:n1', 60), false, 'the nonce claimed before the failover is still known (replicated)');
    const cacheEnd = Date.now() + 30_000;
    while (!cache.connected && Date.now() < cacheEnd) await sleep(50);
    assert.ok(cache.connected, 'the cache reconnected too');
  } finally {
    await Promise.all([nonces.close(), cache.close()]);
    await sentinel.stop();
  }
});

test.run();

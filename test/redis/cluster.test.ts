// Every Redis user of the product over a real Redis Cluster (three masters started here):
// the resolver's shared cache, the nonce store and the publish counters work through
// REDIS_URL=redis+cluster://..., with keys spread over the masters' slots.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { RedisNonceStore } from '../../src/pki/httpsig/nonce/index.js';
import { generatePublisherKey } from '../../src/records/keys.js';
import { RedisCache, type Resolver } from '../../src/resolver/index.js';
import { testZone } from '../helpers/node.js';
import { redisAvailable } from '../helpers/redis.js';
import { startRedisCluster, type TestCluster } from '../helpers/redis-cluster.js';
import { distinctName, pooled, publish, tally } from '../quota/helpers.js';
import { SEED_TREE, resolverFor, startTree, zoneName as z } from '../resolver/tree.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let cluster: TestCluster | undefined;

test.before(async () => {
  if (redisAvailable()) cluster = await startRedisCluster();
});
test.after(async () => {
  await cluster?.stop();
});

test('two resolver nodes share their cache through the Cluster: the second resolves with no upstream request', async () => {
  if (!cluster) return console.log('  (skipped: no redis-server)');
  const tree = await startTree(SEED_TREE);
  const a: Resolver = resolverFor(tree, 'vibe-agency.com', { redisUrl: cluster.url });
  const b: Resolver = resolverFor(tree, 'acme-corp.com', { redisUrl: cluster.url });
  try {
    await until(() => a.cacheState().shared === 'up' && b.cacheState().shared === 'up', 'both resolvers connected to the Cluster');
    const names = [`gpt-planner.${z('openai.org')}`, `claude-architect.${z('anthropic.org')}`, `gpt-code-assistant.${z('openai.org')}`];
    for (const name of names) assert.is((await a.resolve(name)).source, 'authoritative');
    const before = tree.requests();
    for (const name of names) assert.is((await b.resolve(name)).source, 'cache', name);
    assert.is(tree.requests(), before, 'no upstream request');
  } finally {
    await Promise.all([a.close(), b.close()]);
    await tree.close();
  }
});

test('the nonce store claims a nonce once across two nodes on the Cluster, and keys land on every master', async () => {
  if (!cluster) return console.log('  (skipped: no redis-server)');
  const a = new RedisNonceStore({ url: cluster.url });
  const b = new RedisNonceStore({ url: cluster.url });
  try {
    await Promise.all([a.ready(20_000), b.ready(20_000)]);
    const keys = Array.from({ length: 60 }, (_, i) => `kid-${i}:nonce-${i}`);
    const first = await Promise.all(keys.map((k, i) => (i % 2 ? a : b).claim(k, 60)));
    const again = await Promise.all(keys.map((k, i) => (i % 2 ? b : a).claim(k, 60)));
    assert.ok(first.every(Boolean), 'each nonce is new once');
    assert.ok(again.every((x) => !x), 'and a replay on the other node is refused');
    const ttl = await a.ttl(keys[0]!);
    assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl}`);
    const spread = await cluster.keysPerNode();
    console.log(`  keys per master: ${spread}`);
    assert.ok(spread.every((n) => n > 0), `keys on every master: ${spread}`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('two nodes of one zone on the Cluster share a key publish counter', async () => {
  if (!cluster) return console.log('  (skipped: no redis-server)');
  const limits = { publish_per_key: { points: 10, per_seconds: 60 }, publish_per_client: { points: 10_000, per_seconds: 60 } };
  const start = (): Promise<RunningNode> => startNode({ config: testZone('vibe-agency.com', { policy: { limits } }), port: 0, redisUrl: cluster!.url, seed: false });
  const [a, b] = await Promise.all([start(), start()]);
  try {
    await until(() => a.ctx.redis?.state() === 'up' && b.ctx.redis?.state() === 'up', 'both nodes connected to the Cluster');
    const key = await generatePublisherKey('ES256');
    const answers = await pooled(
      Array.from({ length: 24 }, (_, i) => () => publish(i % 2 ? a.url : b.url, key, distinctName('cluster', i))),
      4,
    );
    assert.equal(tally(answers), { '201': 10, '429 RATE_LIMITED': 14 });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a master that dies fails its keys fast (NONCE_STORE_DOWN, a cache miss) while the other masters keep answering', async () => {
  if (!cluster) return console.log('  (skipped: no redis-server)');
  const nonces = new RedisNonceStore({ url: cluster.url });
  const cache = new RedisCache({ url: cluster.url });
  try {
    await nonces.ready(20_000);
    await until(() => cache.connected, 'the cache connected');
    await cluster.killMaster(2);
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => nonces.claim(`kid:down-${i}`, 60).then(String, (err) => (err as { code: string }).code)),
    );
    const tally = outcomes.reduce<Record<string, number>>((t, o) => ({ ...t, [o]: (t[o] ?? 0) + 1 }), {});
    console.log(`  one master down, 30 claims: ${JSON.stringify(tally)}`);
    assert.equal(Object.keys(tally).sort(), ['NONCE_STORE_DOWN', 'true'], JSON.stringify(tally));
    const misses = await Promise.all(Array.from({ length: 10 }, (_, i) => cache.get(`ans:nobody-${i}`)));
    assert.ok(misses.every((m) => m === undefined), 'the cache answers misses, never throws');
  } finally {
    await Promise.all([nonces.close(), cache.close()]);
  }
});

test.run();

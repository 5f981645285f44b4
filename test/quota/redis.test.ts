// Publish limits with a real redis-server: two nodes of one zone share a key's counter,
// and a Redis that dies neither fails publishes nor lifts the limit (each node counts in
// process until it is back).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { generatePublisherKey } from '../../src/records/keys.js';
import { testZone } from '../helpers/node.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { distinctName, pooled, publish, tally } from './helpers.js';

const limits = { publish_per_key: { points: 10, per_seconds: 60 }, publish_per_client: { points: 10_000, per_seconds: 60 } };
const start = (redisUrl: string): Promise<RunningNode> =>
  startNode({ config: testZone('vibe-agency.com', { policy: { limits } }), port: 0, redisUrl, seed: false });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('two nodes with one Redis share a key publish counter; an outage falls back to in-process limits', async () => {
  if (!redisAvailable()) return console.log('  (skipped: no redis-server)');
  const redis = await startRedis();
  const [a, b] = await Promise.all([start(redis.url), start(redis.url)]);
  try {
    await sleep(200); // both connected
    const key = await generatePublisherKey('ES256');
    const answers = await pooled(
      Array.from({ length: 30 }, (_, i) => () => publish(i % 2 ? a.url : b.url, key, distinctName('shared', i))),
      4,
    );
    const perNode = [a.url, b.url].map((u, n) => answers.filter((x, i) => i % 2 === 1 - n && x.status === 201).length);
    console.log(`  one key, 30 publishes over two nodes (limit 10 per 60 s): ${JSON.stringify(tally(answers))}, accepted per node ${perNode}`);
    assert.equal(tally(answers), { '201': 10, '429 RATE_LIMITED': 20 });

    await redis.kill();
    const other = await generatePublisherKey('ES256');
    const during = await pooled(Array.from({ length: 15 }, (_, i) => () => publish(a.url, other, distinctName('outage', i))), 3);
    console.log(`  Redis down, one node, 15 publishes: ${JSON.stringify(tally(during))}`);
    assert.equal(tally(during), { '201': 10, '429 RATE_LIMITED': 5 });
  } finally {
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  }
});

test.run();

// An operator can tell whether Redis is in use and answering: the node logs that it uses
// Redis, that it connected, that it has gone away and that it is back, and /healthz shows
// the same state (without making the node unhealthy: Redis is optional).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { testZone } from '../helpers/node.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const limits = { publish_per_key: { points: 10, per_seconds: 60 } };

async function health(node: RunningNode) {
  return (await (await fetch(`${node.url}/healthz`)).json()) as { status: string; redis: { state: string; target?: string; error?: string; users?: Record<string, string> } };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('without REDIS_URL /healthz says Redis is off', async () => {
  const node = await startNode({ config: testZone(), port: 0, seed: false });
  try {
    assert.equal((await health(node)).redis, { state: 'off' });
  } finally {
    await node.close();
  }
});

test('Redis in use, connected, gone away and back: logged once each and shown in /healthz', async () => {
  if (!redisAvailable()) return console.log('  (skipped: no redis-server)');
  const redis = await startRedis();
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const node = await startNode({ config: testZone('vibe-agency.com', { policy: { limits } }), port: 0, redisUrl: redis.url, seed: false, log });
  const said = (re: RegExp) => lines.filter((l) => re.test(l.msg));
  try {
    assert.is(said(/^Redis in use: Redis redis:\/\/127\.0\.0\.1:\d+$/).length, 1);
    await until(async () => (await health(node)).redis.state === 'up', '/healthz redis up');
    const up = await health(node);
    assert.is(up.status, 'ok');
    assert.equal(up.redis.users, { quota: 'up', cache: 'up' });
    assert.is(said(/^Redis connected/).length, 1);

    await redis.kill();
    await until(async () => (await health(node)).redis.state === 'down', '/healthz redis down');
    const down = await health(node);
    assert.is(down.status, 'ok', 'Redis is optional: the node stays healthy');
    assert.ok(down.redis.error, 'the error is shown');
    await sleep(300); // reconnect attempts fail meanwhile: still one warning
    const gone = said(/^Redis has gone away/);
    assert.is(gone.length, 1, JSON.stringify(lines.map((l) => l.msg)));
    assert.is(gone[0]!.level, 40, 'a warning');
    assert.match(gone[0]!.msg, /resolver cache is per process/);

    await redis.restart();
    await until(async () => (await health(node)).redis.state === 'up', '/healthz redis up again');
    assert.is(said(/^Redis is back/).length, 1);
  } finally {
    await node.close();
    await redis.stop();
  }
});

test.run();

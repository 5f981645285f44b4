// Request logs: one JSON line per request with method, path, status and latency, for the
// resolve fast path and the hono routes alike; none below info (LOG_LEVEL=warn, tests).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startNode } from '../../src/node/index.js';
import { testZone } from '../helpers/node.js';

function memoryLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const writes = { count: 0 };
  const stream = new Writable({
    write(chunk, _enc, done) {
      writes.count++;
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: pino({ level, base: undefined }, stream), lines, writes };
}

async function until(check: () => boolean, what: string) {
  for (const end = Date.now() + 20_000; Date.now() < end; ) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a line per request at info: fast-path resolve, other routes, errors', async () => {
  const { log, lines } = memoryLogger('info');
  const node = await startNode({ config: testZone(), port: 0, requestLog: log });
  try {
    const name = 'nobody.vibe-agency.com.steward-registry.org';
    await fetch(`${node.url}/v1/resolve?name=${name}`).then((r) => r.text());
    await fetch(`${node.url}/healthz`).then((r) => r.text());
    await fetch(`${node.url}/no/such/route`).then((r) => r.text());
    await until(() => lines.length >= 3, 'three request lines');
    assert.is(lines.length, 3);
    const [resolve, health, missing] = lines as any[];
    assert.is(resolve.msg, 'request');
    assert.is(resolve.method, 'GET');
    assert.is(resolve.path, `/v1/resolve?name=${name}`);
    assert.is(resolve.status, 404); // NXDOMAIN
    assert.is(typeof resolve.ms, 'number');
    assert.ok(resolve.ms >= 0);
    assert.is(resolve.level, 30);
    assert.is(health.path, '/healthz');
    assert.is(health.status, 200);
    assert.is(missing.status, 404);
  } finally {
    await node.close();
  }
});

test('lines are written in chunks, not one write per request, and none is lost', async () => {
  const { log, lines, writes } = memoryLogger('info');
  const node = await startNode({ config: testZone(), port: 0, requestLog: log });
  try {
    const n = 400;
    for (let i = 0; i < n; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => fetch(`${node.url}/v1/resolve?name=a${i + j}.vibe-agency.com.steward-registry.org`).then((r) => r.text())));
    }
    await until(() => lines.length >= n, `${n} request lines`);
    assert.is(lines.length, n);
    const paths = new Set(lines.map((l: any) => l.path));
    assert.is(paths.size, n, 'every request its own line');
    assert.ok(writes.count < n / 4, `${writes.count} writes for ${n} lines`);
  } finally {
    await node.close();
  }
});

test('closing the node writes the lines still buffered at once', async () => {
  const { log, lines } = memoryLogger('info');
  const node = await startNode({ config: testZone(), port: 0, requestLog: log });
  await fetch(`${node.url}/healthz`).then((r) => r.text());
  await node.close();
  await new Promise((r) => setImmediate(r));
  assert.is(lines.length, 1);
});

test('no request lines when the level is above info', async () => {
  const { log, lines } = memoryLogger('warn');
  const node = await startNode({ config: testZone(), port: 0, requestLog: log });
  try {
    assert.is(node.hooks.access, undefined, 'no hook at all: the fast path pays nothing');
    await fetch(`${node.url}/healthz`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 100));
    assert.is(lines.length, 0);
  } finally {
    await node.close();
  }
});

test('a node without a request log (the default, as in tests) logs nothing per request', async () => {
  const node = await startNode({ config: testZone(), port: 0 });
  try {
    assert.is(node.hooks.access, undefined);
  } finally {
    await node.close();
  }
});

test.run();

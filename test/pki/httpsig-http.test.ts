// The middleware over real HTTP (a hono app served on port 0, requests by fetch):
// round trips, the same request sent 50 times at once (accepted exactly once), a
// recorded request replayed 1,000 times (none accepted), the same across two nodes
// sharing one Redis, Redis configured but stopped (503, refused), and the body limit.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, createVerifier, MemoryNonceStore, RedisNonceStore, type NonceStore } from '../../src/pki/httpsig/index.js';
import { startRedis } from '../helpers/redis.js';
import { fakeChainCheck, makeIdentity, makeRoot, signedApp } from './httpsig-fixtures.js';

const root = await makeRoot('p256');
const ec = await makeIdentity(root, 'p256');
const rsa = await makeIdentity(root, 'rsa2048');
const BODY = JSON.stringify({ changes: [{ name: 'agent.acme-corp.com.steward-registry.org', version: '1.0.0' }] });

async function serveApp(nonces: NonceStore) {
  const hits = { n: 0 };
  const app = signedApp(createVerifier({ verifyChain: fakeChainCheck(root.der), nonces }), hits);
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const signed = (who = ec, url: string, body = BODY) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(createSigner({ privateKey: who.privateKey, chain: who.chain }).sign({ method: 'POST', url, body }) as unknown as Record<string, string>) },
  body,
});

async function post(url: string, init: RequestInit) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const json = (await res.json()) as { code?: string; zone?: string; body?: string };
  return { status: res.status, code: json.code, json };
}

/** node:http, so the Host header can name another node of the site (fetch will not send it). */
function postAs(url: string, host: string, init: { headers: Record<string, string>; body: string }) {
  return new Promise<{ status: number; code?: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...init.headers, host }, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code?: string }).code }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const tally = (rs: { status: number; code?: string }[]) => {
  const out: Record<string, number> = {};
  for (const r of rs) out[`${r.status} ${r.code ?? 'ok'}`] = (out[`${r.status} ${r.code ?? 'ok'}`] ?? 0) + 1;
  return out;
};

test('round trip over HTTP: P-256 and RSA senders reach the route with their zone and body', async () => {
  const s = await serveApp(new MemoryNonceStore());
  try {
    for (const who of [ec, rsa]) {
      const r = await post(`${s.url}/v1/push`, signed(who, `${s.url}/v1/push`));
      assert.is(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json, { zone: who.zone, keyid: createSigner({ privateKey: who.privateKey, chain: who.chain }).keyid, body: BODY });
    }
    const bare = await post(`${s.url}/v1/push`, { method: 'POST', body: BODY });
    assert.equal([bare.status, bare.code], [401, 'SIGNATURE_MISSING']);
  } finally {
    await s.close();
  }
});

test('the same signed request sent 50 times at once is accepted exactly once; 1,000 replays after are all refused', async () => {
  const s = await serveApp(new MemoryNonceStore());
  try {
    const url = `${s.url}/v1/push`;
    const recorded = signed(ec, url);
    const burst = await Promise.all(Array.from({ length: 50 }, () => post(url, recorded)));
    assert.equal(tally(burst), { '200 ok': 1, '401 REPLAY': 49 });
    assert.is(s.hits.n, 1, 'the route ran once');

    const replays: { status: number; code?: string }[] = [];
    for (let i = 0; i < 1000; i += 25) replays.push(...(await Promise.all(Array.from({ length: 25 }, () => post(url, recorded)))));
    assert.equal(tally(replays), { '401 REPLAY': 1000 });
    assert.is(s.hits.n, 1, 'none of the replays reached the route');
  } finally {
    await s.close();
  }
});

test('Redis nonce store: two nodes sharing one Redis accept a request sent to both 50 times at once exactly once', async () => {
  const redis = await startRedis();
  const stores = [new RedisNonceStore({ url: redis.url }), new RedisNonceStore({ url: redis.url })];
  await Promise.all(stores.map((st) => st.ready()));
  const [a, b] = await Promise.all(stores.map(serveApp));
  try {
    // One request, addressed to a's origin, also sent to b with a's Host (a site's replicas).
    const url = `${a!.url}/v1/push`;
    const recorded = signed(ec, url);
    const host = new URL(a!.url).host;
    const toB = (i: number) => (i % 2 ? postAs(`${b!.url}/v1/push`, host, recorded) : post(url, recorded));
    const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => toB(i)));
    assert.equal(tally(burst), { '200 ok': 1, '401 REPLAY': 49 });
    assert.is(a!.hits.n + b!.hits.n, 1);
  } finally {
    await Promise.all([a!.close(), b!.close(), ...stores.map((st) => st.close())]);
    await redis.stop();
  }
});

test('Redis configured but stopped: every signed request is refused with 503 NONCE_STORE_DOWN, none accepted', async () => {
  const redis = await startRedis();
  const store = new RedisNonceStore({ url: redis.url });
  await store.ready();
  const s = await serveApp(store);
  try {
    const url = `${s.url}/v1/push`;
    assert.is((await post(url, signed(ec, url))).status, 200, 'works while Redis is up');
    await redis.kill();
    const down = await Promise.all(Array.from({ length: 20 }, () => post(url, signed(ec, url))));
    assert.equal(tally(down), { '503 NONCE_STORE_DOWN': 20 });
    assert.is(s.hits.n, 1, 'nothing reached the route while Redis was down');
    await redis.restart();
    await store.ready(5_000);
    assert.is((await post(url, signed(ec, url))).status, 200, 'accepted again once Redis is back');
  } finally {
    await s.close();
    await store.close();
    await redis.stop();
  }
});

test('bodies: over 64 KiB is 413 (declared or chunked); the route reads the exact bytes that were verified', async () => {
  const s = await serveApp(new MemoryNonceStore());
  try {
    const url = `${s.url}/v1/push`;
    const big = 'x'.repeat(64 * 1024 + 1);
    assert.is((await post(url, signed(ec, url, big))).status, 413);
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await fetch(url, { ...signed(ec, url, big), body: chunked, duplex: 'half' } as RequestInit);
    assert.is(res.status, 413);
    await res.body?.cancel();
    const exact = `{"a":"é\u2028"}  \n`;
    const r = await post(url, signed(ec, url, exact));
    assert.is(r.json.body, exact);
  } finally {
    await s.close();
  }
});

test.run();

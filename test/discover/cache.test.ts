// Other registries' discover answers are reused for a short TTL on the hierarchy path
// (src/discover/remote-cache.ts): the parent is asked once for a repeated query, the
// report says the answer was cached, `Cache-Control: no-cache` and `federated` ask
// afresh, a failure is never kept, and the cache is bounded by bytes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RemoteDiscoverCache, type RemoteAnswer } from '../../src/discover/remote-cache.js';
import type { Federation } from '../../src/node/federation.js';
import { http } from '../helpers/node.js';
import { startTree, Z } from './tree.js';

const t = suite<{ fed: Federation; leaf: string; asked: () => number }>('discover cache', {} as any);
t.before(async (ctx) => {
  ctx.fed = await startTree();
  ctx.leaf = ctx.fed.byZone(Z.leaf).url;
  const com = ctx.fed.byZone(Z.com).ctx;
  const real = com.discover;
  let n = 0;
  com.discover = (...args) => {
    n++;
    return real(...args);
  };
  ctx.asked = () => n;
});
t.after(async (ctx) => ctx.fed.close());

t('hierarchy: a repeated query asks the parent once and says the answer was cached', async ({ leaf, asked }) => {
  const first = (await http(`${leaf}/v1/discover?q=shared_cap`)).body;
  const before = asked();
  const again = (await http(`${leaf}/v1/discover?q=shared_cap`)).body;
  assert.is(asked(), before, 'the parent was not asked again');
  assert.equal(again.results, first.results);
  const parent = again.registries.find((r: any) => r.role === 'parent');
  assert.is(parent.status, 'ok');
  assert.is(parent.cached, true);
  assert.is(parent.latency_ms, first.registries.find((r: any) => r.role === 'parent').latency_ms);
  assert.is(first.registries.find((r: any) => r.role === 'parent').cached, undefined);
});

t('Cache-Control: no-cache and scope=federated ask the parent afresh', async ({ leaf, asked }) => {
  await http(`${leaf}/v1/discover?q=shared_cap`);
  const before = asked();
  const fresh = await http(`${leaf}/v1/discover?q=shared_cap`, { headers: { 'cache-control': 'no-cache' } });
  assert.is(asked(), before + 1);
  assert.is(fresh.body.registries.find((r: any) => r.role === 'parent').cached, undefined);
  const fed = (await http(`${leaf}/v1/discover?q=shared_cap&scope=federated`)).body;
  assert.is(asked(), before + 2);
  assert.ok(fed.registries.every((r: any) => r.cached === undefined));
});

t('a failed ask is not kept: the next query asks again', async () => {
  const cache = new RemoteDiscoverCache({ ttlMs: 60_000, entries: 10, maxBytes: 1 << 20 });
  let calls = 0;
  const fail = async (): Promise<RemoteAnswer> => {
    calls++;
    throw new Error('down');
  };
  await cache.get('k', fail).catch(() => {});
  await cache.get('k', fail).catch(() => {});
  assert.is(calls, 2);
  assert.is(cache.size, 0);
});

t('concurrent asks for one key share one request; the entry expires after its TTL', async () => {
  const cache = new RemoteDiscoverCache({ ttlMs: 40, entries: 10, maxBytes: 1 << 20 });
  let calls = 0;
  const ask = async (): Promise<RemoteAnswer> => {
    calls++;
    await new Promise((r) => setTimeout(r, 10));
    return { results: [], dropped: 0, latency_ms: 10 };
  };
  await Promise.all([cache.get('k', ask), cache.get('k', ask), cache.get('k', ask)]);
  assert.is(calls, 1);
  assert.is((await cache.get('k', ask)).cached, true);
  await new Promise((r) => setTimeout(r, 60));
  assert.is((await cache.get('k', ask)).cached, false);
  assert.is(calls, 2);
});

t('bounded by bytes: big answers push older ones out', async () => {
  const row = (i: number) => ({ id: `bot-${i}.x.steward-registry.org`, name: `bot-${i}`, namespace: 'x', version: '1.0.0', capabilities: ['a'.repeat(60)], trust: 0.5 });
  const big = (): Promise<RemoteAnswer> => Promise.resolve({ results: Array.from({ length: 100 }, (_, i) => row(i)), dropped: 0, latency_ms: 1 });
  const cache = new RemoteDiscoverCache({ ttlMs: 60_000, entries: 10_000, maxBytes: 400_000 });
  for (let i = 0; i < 50; i++) await cache.get(`k${i}`, big);
  assert.ok(cache.size > 0 && cache.size <= 13, `kept ${cache.size} of 50 answers of ~32 KB in 400 KB`);
  // One answer over an eighth of the bound is not kept at all.
  const small = new RemoteDiscoverCache({ ttlMs: 60_000, entries: 10_000, maxBytes: 200_000 });
  await small.get('k', big);
  assert.is(small.size, 0);
});

t.run();

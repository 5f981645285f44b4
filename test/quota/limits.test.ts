// Issue 7 finding 4: one key could publish 50,000 names in 36 s. Against a real node on
// port 0: a burst of 10× a key's publish rate is refused with 429 + Retry-After while
// another key is untouched; a key's names are capped; reads are limited per client.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generatePublisherKey } from '../../src/records/keys.js';
import { startTestNode } from '../helpers/node.js';
import { distinctName, get, pooled, publish, tally } from './helpers.js';

const test = suite('quotas');

test('a burst of 10x the per-key rate: >= 99% of the excess refused with 429, another key unaffected', async () => {
  const RATE = 20;
  const srv = await startTestNode({
    extra: { policy: { limits: { publish_per_key: { points: RATE, per_seconds: 60 }, publish_per_client: { points: 10_000, per_seconds: 60 } } } },
  });
  try {
    const [noisy, quiet] = await Promise.all([generatePublisherKey('ES256'), generatePublisherKey('ES256')]);
    const jobs = [
      ...Array.from({ length: RATE * 10 }, (_, i) => () => publish(srv.url, noisy, distinctName('burst', i))),
      ...Array.from({ length: RATE / 2 }, (_, i) => () => publish(srv.url, quiet, distinctName('steady', i))),
    ];
    // interleave the quiet key's publishes through the burst
    const order = jobs.map((_, i) => i).sort((a, b) => (a % 21) - (b % 21) || a - b);
    const answers = await pooled(order.map((i) => jobs[i]!));
    const byJob = new Array(jobs.length);
    order.forEach((j, k) => (byJob[j] = answers[k]));
    const burst = byJob.slice(0, RATE * 10);
    const steady = byJob.slice(RATE * 10);
    const accepted = burst.filter((a) => a.status === 201).length;
    const refused = burst.filter((a) => a.status === 429);
    const excess = RATE * 10 - RATE;
    console.log(`  burst: ${burst.length} sent, ${accepted} accepted, ${refused.length} refused (excess ${excess}, ${((100 * refused.length) / excess).toFixed(1)}% of it refused); other key: ${JSON.stringify(tally(steady))}`);
    assert.equal(tally(burst), { '201': RATE, '429 RATE_LIMITED': RATE * 9 });
    assert.ok(refused.length >= 0.99 * excess);
    for (const r of refused) {
      assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60, `Retry-After ${r.retryAfter}`);
      assert.match(r.detail!, /at most 20 per 60 s/);
    }
    assert.equal(tally(steady), { '201': RATE / 2 });
  } finally {
    await srv.close();
  }
});

test('per-client publish limit is checked before the signature; the limit names the client, not the key', async () => {
  const srv = await startTestNode({ extra: { policy: { limits: { publish_per_client: { points: 3, per_seconds: 60 } } } } });
  try {
    const key = await generatePublisherKey('ES256');
    const first = await pooled([1, 2, 3, 4].map((i) => () => publish(srv.url, key, distinctName('client', i))), 1);
    assert.equal(tally(first), { '201': 3, '429 RATE_LIMITED': 1 });
    assert.ok(first[3]!.retryAfter);
    // garbage is refused by the limit too (no signature work spent on it)
    const res = await fetch(`${srv.url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: 'x.y.z' });
    assert.is(res.status, 429);
    // another client (another loopback address) is not limited
    assert.is((await publish(srv.url, key, distinctName('client', 5), '1.0.0', '127.0.0.2')).status, 201);
  } finally {
    await srv.close();
  }
});

test('names per key: the N+1th new name is refused with a clear detail; new versions and freed names are fine', async () => {
  const srv = await startTestNode({ extra: { policy: { limits: { names_per_key: 3 } } } });
  try {
    const key = await generatePublisherKey('EdDSA');
    const other = await generatePublisherKey('EdDSA');
    // concurrent new names cannot overshoot the quota
    const first = await pooled(['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((n) => () => publish(srv.url, key, `quota-${n}`)), 5);
    assert.equal(tally(first), { '201': 3, '429 QUOTA_EXCEEDED': 2 });
    const over = first.find((a) => a.code === 'QUOTA_EXCEEDED')!;
    assert.match(over.detail!, /already holds 3 names/);
    assert.match(over.detail!, /names_per_key 3/);
    const held = first.map((a, i) => (a.status === 201 ? `quota-${['alpha', 'bravo', 'charlie', 'delta', 'echo'][i]}` : '')).filter(Boolean);
    assert.is((await publish(srv.url, key, held[0]!, '1.1.0')).status, 201, 'a new version of a held name');
    assert.is((await publish(srv.url, other, 'quota-foxtrot')).status, 201, 'another key has its own quota');
    // unpublishing frees a slot
    const { signCompact } = await import('../../src/records/keys.js');
    const tomb = await signCompact({ name: held[1], namespace: 'vibe-agency.com', deleted: true, version: '1.0.0' }, key);
    const del = await fetch(`${srv.url}/v1/agents/${held[1]}`, { method: 'DELETE', headers: { 'content-type': 'application/jose' }, body: tomb });
    assert.is(del.status, 200, await del.text());
    assert.is((await publish(srv.url, key, 'quota-golf')).status, 201);
    assert.is((await publish(srv.url, key, 'quota-hotel')).code, 'QUOTA_EXCEEDED');
  } finally {
    await srv.close();
  }
});

test('reads over the per-client limit get 429 with Retry-After, on the fast path and through hono; other clients are served', async () => {
  const srv = await startTestNode({ extra: { policy: { limits: { reads_per_client: { points: 5, per_seconds: 60 } } } } });
  try {
    const path = '/v1/resolve?name=vibe-agency-orchestrator';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await get(srv.url, path));
    assert.ok(answers.every((a) => a.status === 404 || a.status === 200), JSON.stringify(tally(answers)));
    const fast = await get(srv.url, path);
    assert.is(fast.status, 429);
    assert.is(fast.code, 'RATE_LIMITED');
    assert.ok(Number(fast.retryAfter) >= 1, `Retry-After ${fast.retryAfter}`);
    const viaHono = await get(srv.url, '/v1/agents/vibe-agency-orchestrator');
    assert.is(viaHono.status, 429);
    assert.ok(viaHono.retryAfter);
    // Refusals are made once and reused: again and again the same problem document, on both paths.
    const raw = async (p: string) => {
      const r = await fetch(`${srv.url}${p}`);
      return { status: r.status, type: r.headers.get('content-type'), retry: r.headers.get('retry-after'), body: await r.json() };
    };
    const [f1, f2, h1, h2] = [await raw(path), await raw(path), await raw('/v1/agents/vibe-agency-orchestrator'), await raw('/v1/agents/x')];
    for (const r of [f1, f2, h1, h2]) {
      assert.is(r.status, 429);
      assert.is(r.type, 'application/problem+json');
      assert.is(r.body.code, 'RATE_LIMITED');
      assert.is(r.body.retry_after, Number(r.retry));
      assert.equal(r.body, { ...f1.body, retry_after: r.body.retry_after, detail: r.body.detail });
    }
    assert.is((await get(srv.url, '/healthz')).status, 200, 'health checks are not limited');
    assert.not.equal((await get(srv.url, path, '127.0.0.3')).status, 429);
  } finally {
    await srv.close();
  }
});

test('a zone file with a bad limit is refused naming the field', async () => {
  const { parseZoneFile } = await import('../../src/zonefile/index.js');
  const base = { zone: 'x.steward-registry.org', parent: { zone: 'steward-registry.org', url: 'http://127.0.0.1:9' }, listen: { port: 0 } };
  assert.throws(() => parseZoneFile({ ...base, policy: { limits: { publish_per_key: { points: 0, per_seconds: 1 } } } }), /policy\/limits\/publish_per_key/);
  assert.throws(() => parseZoneFile({ ...base, policy: { limits: { burst: 1 } } }), /limits/);
  const off = parseZoneFile({ ...base, policy: { limits: { reads_per_client: false } } });
  assert.is(off.policy.limits.reads_per_client, false);
  assert.equal(off.policy.limits.publish_per_key, { points: 60, per_seconds: 60 });
});

test.run();

// Issue 7 findings 1 and 8: a hostile zone answering rd=0 questions. Its answers are
// validated against SPEC §2/§3 and the zone asked; only what the contract defines is
// cached; referrals are bounded and their endpoints must be bare, allowed origins.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createNodeResolver, MemoryCache, type Resolver } from '../../src/resolver/index.js';
import type { ZoneView } from '../../src/resolver/types.js';
import { HostileServer, type Reply } from './hostile-fake.js';
import { ROOT, testRecord } from './tree.js';

const ME = `me.${ROOT}`;

/** A resolver for zone `me`, whose (configured, trusted) parent is the hostile root. */
function resolverUnder(parentUrl: string, allowPrivate = false): Resolver {
  const view: ZoneView = {
    zone: ME,
    rootDomain: ROOT,
    parent: { zone: ROOT, endpoints: [{ url: parentUrl }] },
    ttl: { agent: 300, referral: 3600, negative: 60 },
    getAgent: () => undefined,
    getDelegation: () => undefined,
  };
  return createNodeResolver({ view, cacheEntries: 1000, allowPrivate, limits: { minTtl: 0 }, upstream: { timeoutMs: 1000, maxAttempts: 1 } });
}

const noerror = (name: string, record: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  status: 'NOERROR', name, zone: ROOT, ttl: 86_400, answer: record, ...extra,
});
const rootRecord = (label: string) => testRecord(label, ROOT) as unknown as Record<string, unknown>;

async function withHostile(answer: (name: string, path: string) => Reply, fn: (srv: HostileServer, r: Resolver) => Promise<void>, allowPrivate = false) {
  const srv = await new HostileServer(answer).start();
  const r = resolverUnder(srv.url, allowPrivate);
  try {
    await fn(srv, r);
  } finally {
    await r.close();
    await srv.close();
  }
}

const fails = async (p: Promise<unknown>, code: RegExp) => {
  try {
    await p;
  } catch (err) {
    assert.match(`${(err as any).code} ${(err as Error).message}`, code);
    return;
  }
  assert.unreachable('expected the resolve to fail');
};

test('a NOERROR padded with extra fields is cached stripped to the contract', () =>
  withHostile(
    (name) => {
      const rec = { ...rootRecord(name.split('.')[0]!), pad: 'x'.repeat(100_000), endpoints: [{ url: 'https://a.example/x', protocol: 'a2a', evil: 1 }] };
      return { json: noerror(name, rec, { pad: 'y'.repeat(100_000), source: 'authoritative', extra: { deep: 1 } }) };
    },
    async (_srv, r) => {
      const name = `padded.${ROOT}`;
      const first = await r.resolve(name);
      assert.is(first.status, 'NOERROR');
      const again = await r.resolve(name);
      assert.is(again.source, 'cache');
      const out = JSON.stringify(again);
      assert.ok(out.length < 4_000, `cached answer is ${out.length} bytes`);
      assert.not.ok('pad' in again);
      assert.not.ok('extra' in again);
      if (again.status !== 'NOERROR') throw new Error('expected NOERROR');
      assert.not.ok('pad' in again.answer);
      assert.equal(again.answer.endpoints, [{ url: 'https://a.example/x', protocol: 'a2a' }]);
    },
  ));

test('a 1 MB answer is refused while streaming (lame), not cached', () =>
  withHostile(
    (name) => {
      const body = JSON.stringify(noerror(name, rootRecord(name.split('.')[0]!), { pad: '' }));
      return { chunks: [body.slice(0, -3), 'x'.repeat(1024 * 1024), '"}'] };
    },
    async (_srv, r) => {
      await fails(r.resolve(`huge.${ROOT}`), /SERVFAIL.*larger than/);
    },
  ));

for (const [what, mutate, why] of [
  ['trust 99', (rec: Record<string, unknown>) => ({ ...rec, trust: 99 }), /trust/],
  ['a javascript: endpoint', (rec: Record<string, unknown>) => ({ ...rec, endpoints: [{ url: 'javascript:alert(1)', protocol: 'a2a' }] }), /endpoints/],
  ['a record of another zone', (rec: Record<string, unknown>) => ({ ...rec, zone: `com.${ROOT}` }), /zone/],
  ['a record for another id', (rec: Record<string, unknown>) => ({ ...rec, id: `other.${ROOT}` }), /other/],
  ['a wrong namespace', (rec: Record<string, unknown>) => ({ ...rec, namespace: 'com' }), /namespace/],
  ['a malformed fingerprint', (rec: Record<string, unknown>) => ({ ...rec, fingerprint: 'x'.repeat(5000) }), /fingerprint/],
  ['a huge vector clock', (rec: Record<string, unknown>) => ({ ...rec, vector_clock: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`r${i}`, i])) }), /vector_clock/],
  ['a negative vector clock counter', (rec: Record<string, unknown>) => ({ ...rec, vector_clock: { a: -1 } }), /vector_clock/],
] as const) {
  test(`a record with ${what} is lame and never cached`, () =>
    withHostile(
      (name) => ({ json: noerror(name, mutate(rootRecord(name.split('.')[0]!))) }),
      async (srv, r) => {
        const name = `bad.${ROOT}`;
        await fails(r.resolve(name), new RegExp(`SERVFAIL.*lame.*${why.source}`));
        await fails(r.resolve(name), /SERVFAIL/);
        assert.is(srv.paths.length, 2, 'asked again: nothing was cached');
      },
    ));
}

const referral = (name: string, ref: Record<string, unknown>) => ({ json: { status: 'REFERRAL', name, referral: { zone: `evil.${ROOT}`, ttl: 86_400, ...ref } } });

test('a referral with 20,000 endpoints or a 200 KB certificate is refused', () =>
  withHostile(
    (name) => {
      const n = name.startsWith('many.') ? 20_000 : name.startsWith('some.') ? 17 : 0;
      return n
        ? referral(name, { endpoints: Array.from({ length: n }, (_, i) => ({ url: `https://e${i}.example`, region: 'x' })) })
        : referral(name, { endpoints: [{ url: 'https://e.example' }], certificate: 'A'.repeat(200_000) });
    },
    async (_srv, r) => {
      // 20,000 endpoints do not even fit the answer size cap; 17 fit it but not the endpoint cap.
      await fails(r.resolve(`many.evil.${ROOT}`), /SERVFAIL.*larger than 262144 bytes/);
      await fails(r.resolve(`some.evil.${ROOT}`), /SERVFAIL.*17 endpoints \(at most 16\)/);
      await fails(r.resolve(`cert.evil.${ROOT}`), /SERVFAIL.*certificate of 200000 bytes/);
    },
  ));

test('referral endpoints must be origins, and private ones need the policy', async () => {
  // The child the hostile root refers to: a real (fake) server, so a followed referral shows.
  const child = await new HostileServer((name, path) =>
    path === '/v1/resolve' ? { json: { status: 'NOERROR', name, zone: `evil.${ROOT}`, ttl: 60, answer: testRecord(name.split('.')[0]!, `evil.${ROOT}`) } } : { status: 200, json: { secret: true } },
  ).start();
  try {
    const to = (url: string) => (name: string) => referral(name, { endpoints: [{ url }] });
    // With a path (the internal-admin trick): refused even when private targets are allowed.
    await withHostile(to(`${child.url}/internal-admin/`), async (_s, r) => {
      await fails(r.resolve(`a.evil.${ROOT}`), /SERVFAIL.*only origins/);
    }, true);
    for (const url of [`${child.url}/?x=1`, `${child.url}/#f`, child.url.replace('http://', 'http://user:pw@')]) {
      await withHostile(to(url), async (_s, r) => fails(r.resolve(`a.evil.${ROOT}`), /SERVFAIL.*lame/), true);
    }
    // A loopback origin: refused by default ...
    for (const url of [child.url, 'http://localhost:1', 'http://10.1.2.3', 'http://[::1]:80', 'http://169.254.169.254', 'http://2130706433']) {
      await withHostile(to(url), async (_s, r) => fails(r.resolve(`a.evil.${ROOT}`), /SERVFAIL.*private/));
    }
    assert.equal(child.paths, [], 'nothing was sent to refused endpoints');
    // ... and followed (asking only /v1/resolve) when the zone's policy allows it.
    await withHostile(to(`${child.url}/`), async (_s, r) => {
      const a = await r.resolve(`a.evil.${ROOT}`);
      assert.is(a.status, 'NOERROR');
    }, true);
    assert.equal(child.paths, ['/v1/resolve']);
  } finally {
    await child.close();
  }
});

test('the memory cache is bounded by bytes and refuses oversized entries', async () => {
  const cache = new MemoryCache({ entries: 100_000, maxBytes: 200_000, maxEntryBytes: 10_000 });
  const now = Date.now();
  const entry = (pad: number) => ({ kind: 'negative' as const, ttl: 60, expiresAt: now + 60_000, staleUntil: now + 120_000, path: ['x'.repeat(pad)], value: { status: 'NXDOMAIN' as const, name: 'n', zone: 'z', ttl: 60 } });
  for (let i = 0; i < 1000; i++) await cache.set(`ans:${i}`, entry(1000));
  assert.ok(cache.bytes <= 200_000, `holds ${cache.bytes} bytes`);
  assert.ok(cache.size < 1000 && cache.size > 100, `${cache.size} entries`);
  await cache.set('ans:small', entry(10));
  await cache.set('ans:small', entry(20_000));
  assert.is(await cache.get('ans:small'), undefined, 'an oversized value replaces nothing and is not stored');
});

test.run();

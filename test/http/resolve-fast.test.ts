// GET /v1/resolve on the node's raw node:http fast path answers with the bytes the hono
// route sends (and sent before the fast path existed: JSON.stringify of the answer,
// problem+json for bad input), counts the query in the latency histogram, and leaves
// every request it cannot take byte for byte to hono. Demo federation on port 0.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { qualify } from '../../src/names/index.js';
import type { RunningNode } from '../../src/node/index.js';
import { answerAuthoritatively, RESOLVER_HEADER } from '../../src/resolver/index.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { raw, type Raw } from '../helpers/raw-http.js';

const configs = loadZoneDir(fileURLToPath(new URL('../../zones', import.meta.url)));
const ROOT = configs.find((c) => !c.parent)!.zone;
const VIBE = `vibe-agency.com.${ROOT}`;

/** The same query through hono (app.request), as tests and the framework path see it. */
async function viaHono(node: RunningNode, target: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await node.app.request(target, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const t = suite<{ fed: Federation; vibe: RunningNode }>('resolve fast path', {} as never);
t.before(async (ctx) => {
  ctx.fed = await startFederation(configs, { ephemeralPorts: true, fsync: false });
  ctx.vibe = ctx.fed.byZone(VIBE);
});
t.after(async (ctx) => ctx.fed.close());

const same = async (node: RunningNode, target: string, headers: Record<string, string> = {}) => {
  const fast = await raw(node.url, target, { headers });
  assert.equal(fast, await viaHono(node, target, headers), target);
  return fast;
};

t('NOERROR, NXDOMAIN and rd=0 answers: the bytes of JSON.stringify(answer), as before', async ({ vibe }) => {
  const local = await same(vibe, '/v1/resolve?name=vibe-agency-coder');
  assert.is(local.status, 200);
  assert.is(local.type, 'application/json');
  assert.is(local.body, JSON.stringify(await vibe.ctx.resolver.resolve(`vibe-agency-coder.${VIBE}`)));

  const nx = await same(vibe, '/v1/resolve?name=nobody');
  assert.is(nx.status, 404);
  assert.is(nx.body, JSON.stringify(answerAuthoritatively(vibe.ctx.view, `nobody.${VIBE}`)));

  for (const q of ['name=claude-architect.anthropic.org&rd=0', 'name=vibe-agency-coder&rd=false', 'name=nobody&rd=0']) {
    const fqid = qualify(new URLSearchParams(q).get('name'), { rootDomain: ROOT, localZone: VIBE });
    const r = await same(vibe, `/v1/resolve?${q}`);
    const expected = answerAuthoritatively(vibe.ctx.view, fqid);
    assert.is(r.body, JSON.stringify(expected), q);
    assert.is(r.status, expected.status === 'NXDOMAIN' ? 404 : 200);
  }
  assert.is(JSON.parse((await same(vibe, '/v1/resolve?name=claude-architect.anthropic.org&rd=0')).body).status, 'REFERRAL');
});

t('answers from another branch, then from the cache; the cached body tracks the TTL', async ({ vibe }) => {
  const target = '/v1/resolve?name=claude-architect.anthropic.org';
  const first = JSON.parse((await raw(vibe.url, target)).body);
  assert.is(first.source, 'authoritative');
  assert.equal(first.path, [`com.${ROOT}`, ROOT, `org.${ROOT}`, `anthropic.org.${ROOT}`]);
  const hit = await raw(vibe.url, target);
  const body = JSON.parse(hit.body);
  assert.is(body.source, 'cache');
  assert.equal(body.path, first.path, 'a cache hit shows the path of the walk that learnt it');
  assert.equal({ ...body, ttl: 0, source: 0 }, { ...first, ttl: 0, source: 0 });
  const hono = JSON.parse((await viaHono(vibe, target)).body);
  assert.ok(Math.abs(hono.ttl - body.ttl) <= 1);
  assert.equal({ ...hono, ttl: 0 }, { ...body, ttl: 0 });
  await new Promise((r) => setTimeout(r, 1_100));
  const later = JSON.parse((await raw(vibe.url, target)).body);
  assert.ok(later.ttl < body.ttl, `TTL counts down in the served bytes: ${body.ttl} then ${later.ttl}`);
});

t('internal records: hidden from other registries\' resolvers on both paths', async ({ vibe }) => {
  const target = '/v1/resolve?name=vibe-agency-deployer&rd=0';
  assert.is((await same(vibe, target)).status, 200);
  const hidden = await same(vibe, target, { [RESOLVER_HEADER]: `com.${ROOT}` });
  assert.is(hidden.status, 404);
  assert.is(JSON.parse(hidden.body).status, 'NXDOMAIN');
});

t('bad input: the same problem+json bytes as before', async ({ vibe }) => {
  const missing = '{"type":"https://steward-registry.org/problems/bad-request","title":"Bad request","status":400,"detail":"query parameter name is required","code":"BAD_REQUEST"}';
  for (const target of ['/v1/resolve', '/v1/resolve?name=', '/v1/resolve?rd=0']) {
    assert.equal(await same(vibe, target), { status: 400, type: 'application/problem+json', body: missing }, target);
  }
  const badName = await same(vibe, '/v1/resolve?name=Bad..name');
  assert.equal(badName, {
    status: 400,
    type: 'application/problem+json',
    body: '{"type":"https://steward-registry.org/problems/bad-name","title":"Malformed name","status":400,"detail":"invalid name \\"Bad..name\\": empty label (two dots in a row, or a leading dot)","code":"BAD_NAME"}',
  });
  const badRd = await same(vibe, '/v1/resolve?name=x&rd=7');
  assert.is(badRd.body, '{"type":"https://steward-registry.org/problems/bad-request","title":"Bad request","status":400,"detail":"query parameter rd must be one of 0, 1, true, false","code":"BAD_REQUEST"}');
  const outside = await same(vibe, '/v1/resolve?name=x.example.com.other-root.net&rd=0');
  assert.is(outside.status, 200, 'a dotted short name is qualified under the root domain');
});

t('query decoding as hono does it: first value wins, + and %XX decoded', async ({ vibe }) => {
  for (const target of ['/v1/resolve?name=vibe-agency-coder&name=nobody', '/v1/resolve?name=vibe%2Dagency-coder', '/v1/resolve?name=vibe+agency', '/v1/resolve?trace=1&name=vibe-agency-coder']) {
    await same(vibe, target);
  }
});

t('queries are counted in steward_query_duration_seconds (both paths), cache hits in steward_cache_hits_total', async ({ vibe }) => {
  const scrape = async () => {
    const text = await (await fetch(`${vibe.url}/metrics`)).text();
    const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    const series = (status: string) => ({
      count: num(new RegExp(`^steward_query_duration_seconds_count\\{endpoint="resolve",status="${status}"\\} (\\S+)`, 'm')),
      inf: num(new RegExp(`^steward_query_duration_seconds_bucket\\{le="\\+Inf",endpoint="resolve",status="${status}"\\} (\\S+)`, 'm')),
      sum: num(new RegExp(`^steward_query_duration_seconds_sum\\{endpoint="resolve",status="${status}"\\} (\\S+)`, 'm')),
    });
    return { noerror: series('NOERROR'), nx: series('NXDOMAIN'), hits: num(/^steward_cache_hits_total\{kind="answer"\} (\S+)/m) };
  };
  const cached = '/v1/resolve?name=claude-architect.anthropic.org';
  await raw(vibe.url, cached);
  const before = await scrape();
  for (let i = 0; i < 5; i++) await raw(vibe.url, '/v1/resolve?name=vibe-agency-coder');
  for (let i = 0; i < 3; i++) await raw(vibe.url, cached);
  for (let i = 0; i < 2; i++) await raw(vibe.url, '/v1/resolve?name=nobody');
  for (let i = 0; i < 4; i++) await viaHono(vibe, '/v1/resolve?name=vibe-agency-coder');
  await viaHono(vibe, cached);
  const after = await scrape();
  assert.is(after.noerror.count, before.noerror.count + 5 + 3 + 4 + 1);
  assert.is(after.nx.count, before.nx.count + 2);
  assert.is(after.hits, before.hits + 3 + 1);
  for (const s of [after.noerror, after.nx]) assert.is(s.inf, s.count, 'the +Inf bucket holds every observation');
  assert.ok(after.noerror.sum > before.noerror.sum);
});

t('the fast path takes only what hono would see unchanged; the rest reaches hono', async ({ vibe }) => {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (vibe.fast(req, res)) return;
    res.writeHead(599).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  try {
    for (const target of ['/v1/resolve?name=vibe-agency-coder', '/v1/resolve', '/v1/resolve?name=Bad..name', '/v1/resolve?name=a#frag']) {
      assert.is.not((await raw(url, target)).status, 599, `taken: ${target}`);
    }
    const left: [string, { method?: string; headers?: Record<string, string> }][] = [
      ['/v1/resolve?name=vibe-agency-coder', { method: 'HEAD' }],
      ['/v1/resolve?name=vibe-agency-coder', { method: 'POST' }],
      ['/v1/resolve/?name=vibe-agency-coder', {}],
      ['/v1/resolvex?name=vibe-agency-coder', {}],
      ['/v1/resolve?name=vibe%2Dagency-coder', {}],
      ['/v1/resolve?name=a/../b', {}],
      ['/v1/resolve?name=vibe-agency-coder', { headers: { host: 'Example.COM' } }],
    ];
    for (const [target, o] of left) assert.is((await raw(url, target, o)).status, 599, `left to hono: ${o.method ?? 'GET'} ${target} ${JSON.stringify(o.headers ?? {})}`);
    // ... and the node itself answers those through hono, as before.
    assert.is((await raw(vibe.url, '/v1/resolve/?name=x')).status, 404);
    assert.is((await raw(vibe.url, '/v1/resolve?name=vibe%2Dagency-coder')).status, 200);
    assert.is((await raw(vibe.url, '/v1/resolve?name=vibe-agency-coder', { method: 'HEAD' })).status, 200);
  } finally {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }
});

t('queries read before are kept per URL (bounded): more distinct URLs than kept, bad ones never kept, answers unchanged', async ({ vibe }) => {
  const names = ['vibe-agency-coder', 'vibe-agency-orchestrator', 'nobody-here'];
  const expected = new Map<string, string>();
  for (const n of names) expected.set(n, (await viaHono(vibe, `/v1/resolve?name=${n}&rd=0`)).body);
  // 5,000 distinct URLs (unknown parameters make each one new) push the first ones out.
  for (let i = 0; i < 5000; i++) {
    const n = names[i % 3]!;
    const r = await viaHono(vibe, `/v1/resolve?name=${n}&rd=0&x=${i}`);
    assert.is(r.body, expected.get(n), `query ${i}`);
  }
  for (const n of names) assert.is((await same(vibe, `/v1/resolve?name=${n}&rd=0&x=0`)).body, expected.get(n));
  for (let i = 0; i < 2; i++) {
    const bad = await same(vibe, '/v1/resolve?name=bad_name&rd=0');
    assert.is(bad.status, 400, 'a bad query is refused every time, never kept');
  }
});

t.run();

// GET /v1/discover on the node's raw node:http fast path (src/http/fast-discover.ts)
// answers with the bytes the hono route sends, counts the query in the latency histogram
// and the client's read bucket, and leaves to hono what it cannot take the same way: bad
// parameters (hono's 400), the NDJSON stream and signed requests. Demo federation on port 0.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFederation, type Federation } from '../../src/node/federation.js';
import type { RunningNode } from '../../src/node/index.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { raw, type Raw } from '../helpers/raw-http.js';

const configs = loadZoneDir(fileURLToPath(new URL('../../zones', import.meta.url)));
const ROOT = configs.find((c) => !c.parent)!.zone;
const VIBE = `vibe-agency.com.${ROOT}`;

async function viaHono(node: RunningNode, target: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await node.app.request(target, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const discoverCount = async (node: RunningNode) => {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('steward_query_duration_seconds_count') && l.includes('endpoint="discover"')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
};

const t = suite<{ fed: Federation; vibe: RunningNode }>('discover fast path', {} as never);
t.before(async (ctx) => {
  ctx.fed = await startFederation(configs, { ephemeralPorts: true, fsync: false });
  ctx.vibe = ctx.fed.byZone(VIBE);
});
t.after(async (ctx) => ctx.fed.close());

t('local answers: the same status, type and bytes as the hono route', async ({ vibe }) => {
  for (const target of ['/v1/discover?q=code_generation', '/v1/discover?q=orchestrate_sdlc&sort=name&limit=1', '/v1/discover?q=orchestrate_sdlc&scope=local']) {
    // (latency_ms is the time the local search took, 0 or 1 ms: timing, not bytes)
    const timeless = (r: Raw) => ({ ...r, body: r.body.replace(/"latency_ms":\d+/g, '"latency_ms":0') });
    const fast = await raw(vibe.url, target);
    assert.is(fast.status, 200, target);
    assert.is(fast.type, 'application/json');
    assert.equal(timeless(fast), timeless(await viaHono(vibe, target)), target);
  }
});

t('an escalated query answers as the route does (parent and root asked, then their answers reused)', async ({ vibe }) => {
  const first = JSON.parse((await raw(vibe.url, '/v1/discover?q=ci_cd')).body);
  assert.equal(first.registries.map((r: any) => [r.role, r.status]), [['local', 'ok'], ['parent', 'ok'], ['root', 'ok']]);
  const again = JSON.parse((await raw(vibe.url, '/v1/discover?q=ci_cd')).body);
  assert.equal(again.results, first.results);
  assert.ok(again.registries.slice(1).every((r: any) => r.cached === true));
  const fresh = JSON.parse((await raw(vibe.url, '/v1/discover?q=ci_cd', { headers: { 'cache-control': 'no-cache' } })).body);
  assert.ok(fresh.registries.every((r: any) => r.cached === undefined));
});

t('bad parameters get hono\'s 400, word for word', async ({ vibe }) => {
  for (const target of ['/v1/discover', '/v1/discover?q=', '/v1/discover?q=x&scope=everywhere', '/v1/discover?q=x&limit=0', '/v1/discover?q=x&sort=size']) {
    const fast = await raw(vibe.url, target);
    assert.is(fast.status, 400, target);
    assert.equal(fast, await viaHono(vibe, target), target);
    assert.is(JSON.parse(fast.body).code, 'BAD_REQUEST');
  }
});

t('the NDJSON stream is still served (by the route)', async ({ vibe }) => {
  const res = await raw(vibe.url, '/v1/discover?q=code_generation', { headers: { accept: 'application/x-ndjson' } });
  assert.match(res.type, /application\/x-ndjson/);
  const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok('answer' in lines[lines.length - 1]);
});

t('every fast answer is counted in the latency histogram', async ({ vibe }) => {
  const before = await discoverCount(vibe);
  for (let i = 0; i < 5; i++) await raw(vibe.url, '/v1/discover?q=code_generation');
  assert.is(await discoverCount(vibe), before + 5);
});

t.run();

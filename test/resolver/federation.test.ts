// The demo federation (zones/*.json) started on port 0: every seed agent resolves from
// every node over HTTP, across branches, with the walk in `path`; internal agents stay
// inside their zone; with Redis, a second node of the site answers from the shared cache.
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { loadZoneDir, type ZoneConfig } from '../../src/zonefile/index.js';
import { startRedis } from '../helpers/redis.js';

const ZONES = fileURLToPath(new URL('../../zones', import.meta.url));
const configs = loadZoneDir(ZONES);
const ROOT = configs.find((c) => !c.parent)!.zone;
const z = (ns: string) => `${ns}.${ROOT}`;

interface SeedAgent { id: string; zone: string; internal: boolean }
const seeds: SeedAgent[] = configs.flatMap((c: ZoneConfig) =>
  (c.agents as { name: string; visibility?: string }[]).map((a) => ({ id: `${a.name}.${c.zone}`, zone: c.zone, internal: a.visibility === 'internal' })),
);

async function get(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json() };
}

const resolveUrl = (node: { url: string }, name: string, extra = '') => `${node.url}/v1/resolve?name=${encodeURIComponent(name)}${extra}`;

/** steward_upstream_requests_total summed over labels, from a node's /metrics. */
async function upstreamRequests(node: { url: string }): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return [...text.matchAll(/^steward_upstream_requests_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

async function withFederation(opts: { redisUrl?: string }, fn: (f: Federation) => Promise<void>) {
  const fed = await startFederation(configs, { ephemeralPorts: true, fsync: false, redisUrl: opts.redisUrl });
  try {
    await fn(fed);
  } finally {
    await fed.close();
  }
}

test('every seed agent resolves from every node, across branches', () =>
  withFederation({}, async (fed) => {
    assert.ok(seeds.length >= 11, `${seeds.length} seed agents`);
    let resolved = 0;
    for (const node of fed.nodes) {
      const here = node.ctx.config.zone;
      for (const agent of seeds) {
        const { status, body } = await get(resolveUrl(node, agent.id));
        if (agent.internal && agent.zone !== here) {
          assert.is(status, 404, `${agent.id} is internal to ${agent.zone}, asked at ${here}`);
          assert.is(body.status, 'NXDOMAIN');
          continue;
        }
        assert.is(status, 200, `${agent.id} from ${here}: ${JSON.stringify(body)}`);
        assert.is(body.status, 'NOERROR');
        assert.is(body.answer.id, agent.id);
        assert.is(body.zone, agent.zone);
        assert.is(body.path.at(-1), agent.zone, 'the walk ends at the zone of the agent');
        resolved++;
      }
    }
    console.log(`    ${resolved} resolutions over HTTP (${fed.nodes.length} nodes x ${seeds.length} seed agents, internal ones only at home)`);
  }));

test('path shows the walk; a trace shows each step; the second answer comes from cache', () =>
  withFederation({}, async (fed) => {
    const vibe = fed.byZone(z('vibe-agency.com'));
    const name = `gpt-planner.${z('openai.org')}`;
    const first = (await get(resolveUrl(vibe, name, '&trace=1'))).body;
    assert.equal(first.path, [z('com'), ROOT, z('org'), z('openai.org')]);
    assert.is(first.source, 'authoritative');
    assert.equal(first.trace.map((s: any) => s.zone), first.path);
    const second = (await get(resolveUrl(vibe, name))).body;
    assert.is(second.source, 'cache');
    assert.ok(second.ttl <= first.ttl);
    // Short form is qualified in the asked node's zone and answered locally.
    const local = (await get(resolveUrl(vibe, 'vibe-agency-coder'))).body;
    assert.equal(local.path, [z('vibe-agency.com')]);
  }));

test('with Redis, a second node of the site resolves with no upstream request', async () => {
  const redis = await startRedis();
  try {
    await withFederation({ redisUrl: redis.url }, async (fed) => {
      const a = fed.byZone(z('vibe-agency.com'));
      const b = fed.byZone(z('acme-corp.com'));
      for (let i = 0; i < 250 && !fed.nodes.every((n) => n.ctx.resolver.cacheState().shared === 'up'); i++) {
        await new Promise((r) => setTimeout(r, 20)); // nodes connect to Redis
      }
      assert.ok(fed.nodes.every((n) => n.ctx.resolver.cacheState().shared === 'up'), 'every node uses Redis');
      const name = `claude-architect.${z('anthropic.org')}`;
      const first = (await get(resolveUrl(a, name))).body;
      assert.is(first.source, 'authoritative');
      const before = await upstreamRequests(b);
      const second = (await get(resolveUrl(b, name))).body;
      assert.is(second.status, 'NOERROR');
      assert.is(second.source, 'cache');
      assert.is(await upstreamRequests(b), before, 'node B asked nobody');
    });
  } finally {
    await redis.stop();
  }
});

test.run();

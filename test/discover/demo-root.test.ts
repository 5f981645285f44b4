// The seed's discovery on the demo tree (zones/, with certificates: the demo boot): once
// the leaves' seed agents are pushed up (outbox) into the subtree indexes, the root's
// `steward discover orchestrate_sdlc` lists the seed's five agents, `orchestrator` finds
// vibe-agency-orchestrator in both of its namespaces (conflict scenario 1), and
// `--federated` from vibe-agency.com aggregates every registry's answer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { stewardInProcess } from '../cli/helpers.js';
import { http, ROOT } from '../helpers/node.js';

delete process.env.STEWARD_REGISTRY;
const FIVE = [
  'acme-sdlc-bot.acme-corp.com', 'claude-architect.anthropic.org', 'community-orchestrator.johndoe.user.github',
  'gpt-planner.openai.org', 'vibe-agency-orchestrator.vibe-agency.com',
].map((n) => `${n}.${ROOT}`);

const t = suite<{ fed: Federation; dir: string }>('the seed discovery on the demo tree', {} as any);
t.before(async (ctx) => {
  ctx.dir = await mkdtemp(join(tmpdir(), 'steward-demo-root-'));
  const configs = loadZoneDir(fileURLToPath(new URL('../../zones', import.meta.url)));
  ctx.fed = await startFederation(configs, { ephemeralPorts: true, fsync: false, certsDir: join(ctx.dir, 'certs') });
  const root = ctx.fed.byZone(ROOT).url;
  for (let i = 0; i < 100; i++) { // pushes travel up two or three levels: poll, bounded at ~50 s
    const { body } = await http(`${root}/v1/discover?q=orchestrate_sdlc&scope=local`);
    if (body.results?.length >= 5) break;
    await new Promise((r) => setTimeout(r, 500));
  }
});
t.after(async (ctx) => {
  await ctx.fed.close();
  await rm(ctx.dir, { recursive: true, force: true });
});

t('from the root: the seed five, one line each under the escalation line', async ({ fed }) => {
  const r = await stewardInProcess(['discover', 'orchestrate_sdlc', '--registry', fed.byZone(ROOT).url, '--sort', 'name']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Local Registry \(steward-registry\.org\): 5 results found$/m);
  assert.match(r.stdout, /^ {2}- community-orchestrator \(github → user → johndoe\)$/m);
  assert.match(r.stdout, /^Found 5 agents across 1 registry:$/m);
  const json = JSON.parse((await stewardInProcess(['discover', 'orchestrate_sdlc', '--registry', fed.byZone(ROOT).url, '--json'])).stdout);
  assert.equal(json.results.map((x: any) => x.id).sort(), FIVE);
});

t('every replica of the root (the children push to us-east only) holds the seed five: us-east forwards them to eu-west and asia-east', async ({ fed }) => {
  const roots = fed.nodes.filter((n) => n.ctx.config.zone === ROOT);
  assert.equal(roots.map((n) => n.ctx.config.region).sort(), ['asia-east', 'eu-west', 'us-east']);
  for (const n of roots) {
    let ids: string[] = [];
    for (let i = 0; i < 100 && ids.length < 5; i++) { // poll, bounded at ~50 s
      if (i) await new Promise((r) => setTimeout(r, 500));
      ids = ((await http(`${n.url}/v1/discover?q=orchestrate_sdlc&scope=local`)).body.results ?? []).map((x: any) => x.id);
    }
    assert.equal(ids.sort(), FIVE, n.ctx.config.region);
  }
});

t('from the root: "orchestrator" finds the same name in two namespaces', async ({ fed }) => {
  const { body } = await http(`${fed.byZone(ROOT).url}/v1/discover?q=orchestrator`);
  const ids = body.results.map((x: any) => x.id);
  assert.ok(ids.includes(`vibe-agency-orchestrator.vibe-agency.com.${ROOT}`), ids.join());
  assert.ok(ids.includes(`vibe-agency-orchestrator.kimeisele.user.github.${ROOT}`), ids.join());
});

t('--federated from vibe-agency.com: every registry answers, the five come back once each', async ({ fed }) => {
  const r = await stewardInProcess(['discover', 'orchestrate_sdlc', '--federated', '--json', '--registry', fed.byZone(`vibe-agency.com.${ROOT}`).url]);
  const body = JSON.parse(r.stdout);
  assert.equal(body.registries.map((x: any) => x.role).sort(), ['local', 'parent', 'root', 'sibling']);
  assert.ok(body.registries.every((x: any) => x.status === 'ok'));
  assert.equal(body.results.map((x: any) => x.id).sort(), FIVE);
});

t.run();

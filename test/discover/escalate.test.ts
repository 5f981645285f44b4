// Discover across the demo tree (SPEC §3): hierarchy escalation and federated fan-out,
// against the real federation on port 0.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { http } from '../helpers/node.js';

const R = 'steward-registry.org';
const t = suite<{ fed: Federation; vibe: string }>('discover escalation', {} as any);

t.before(async (ctx) => {
  ctx.fed = await startFederation(loadZoneDir('zones'), { ephemeralPorts: true });
  ctx.vibe = ctx.fed.byZone(`vibe-agency.com.${R}`).url;
});
t.after(async (ctx) => ctx.fed.close());

t('local hit: hierarchy stops at the local registry', async ({ vibe }) => {
  const res = await http(`${vibe}/v1/discover?q=code_generation`);
  assert.is(res.status, 200);
  assert.is(res.body.scope, 'hierarchy');
  assert.equal(res.body.results.map((r: any) => r.id), [`vibe-agency-coder.vibe-agency.com.${R}`]);
  assert.equal(res.body.registries.map((r: any) => r.role), ['local']);
  const row = res.body.results[0];
  for (const k of ['id', 'name', 'namespace', 'registry', 'version', 'capabilities', 'trust', 'latency_ms']) assert.ok(k in row, k);
});

t('nothing local: hierarchy asks the parent, then the root, in order', async ({ vibe }) => {
  const res = await http(`${vibe}/v1/discover?q=ci_cd&scope=hierarchy`);
  assert.is(res.status, 200);
  assert.equal(res.body.registries.map((r: any) => [r.role, r.zone, r.status]), [
    ['local', `vibe-agency.com.${R}`, 'ok'],
    ['parent', `com.${R}`, 'ok'],
    ['root', R, 'ok'],
  ]);
});

t('federated: local, parent, root and siblings in parallel; deduplicated and sorted', async ({ vibe }) => {
  const res = await http(`${vibe}/v1/discover?q=orchestrate_sdlc&scope=federated&sort=name`);
  const roles = res.body.registries.map((r: any) => r.role).sort();
  assert.equal(roles, ['local', 'parent', 'root', 'sibling']);
  const ids = res.body.results.map((r: any) => r.id);
  assert.ok(ids.includes(`acme-sdlc-bot.acme-corp.com.${R}`));
  assert.ok(ids.includes(`vibe-agency-orchestrator.vibe-agency.com.${R}`));
  assert.is(new Set(ids).size, ids.length);
  const names = res.body.results.map((r: any) => r.name);
  assert.equal(names, [...names].sort());
  const limited = await http(`${vibe}/v1/discover?q=orchestrate_sdlc&scope=federated&limit=1`);
  assert.is(limited.body.results.length, 1);
});

t('a registry that is down is reported, and the others still answer', async ({ fed, vibe }) => {
  const acme = fed.byZone(`acme-corp.com.${R}`);
  await new Promise<void>((r) => acme.server.close(() => r()));
  (acme.server as any).closeAllConnections?.();
  const res = await http(`${vibe}/v1/discover?q=orchestrate_sdlc&scope=federated`);
  assert.is(res.status, 200);
  const sib = res.body.registries.find((r: any) => r.role === 'sibling');
  assert.is(sib.status, 'error');
  assert.type(sib.error, 'string');
  assert.ok(res.body.results.some((r: any) => r.name === 'vibe-agency-orchestrator'));
});

t('bad parameters are a clear 400', async ({ vibe }) => {
  for (const q of ['', 'q=x&scope=everywhere', 'q=x&sort=size', 'q=x&limit=0', 'q=x&limit=abc']) {
    const res = await http(`${vibe}/v1/discover?${q}`);
    assert.is(res.status, 400, q);
    assert.is(res.body.code, 'BAD_REQUEST');
  }
});

t.run();

// Internal records never leave their zone (SPEC §2, §6), one test per outflow, against
// real nodes on port 0: the demo's root, com, vibe-agency.com and acme-corp.com, plus a
// child zone team.vibe-agency.com below vibe-agency.com (another registry, on loopback
// like the rest). vibe-agency-deployer is vibe-agency.com's internal agent.
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkPushEntries } from '../../src/federation/push/entries.js';
import { pushEntries, pushEntryFor, referenceOf } from '../../src/federation/push/outgoing.js';
import { buildSyncPage } from '../../src/http/sync-page.js';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { InternalClients, visibleTo } from '../../src/records/visibility.js';
import { isLame, parseLocalAnswer, RESOLVER_HEADER } from '../../src/resolver/wire.js';
import { loadZoneDir, parseZoneFile, type ZoneConfig } from '../../src/zonefile/index.js';
import { http } from '../helpers/node.js';

const demo = loadZoneDir(fileURLToPath(new URL('../../zones', import.meta.url)));
const ROOT = demo.find((c) => !c.parent)!.zone;
const VIBE = `vibe-agency.com.${ROOT}`;
const ACME = `acme-corp.com.${ROOT}`;
const TEAM = `team.${VIBE}`;
const DEPLOYER = `vibe-agency-deployer.${VIBE}`;
const ORCHESTRATOR = `vibe-agency-orchestrator.${VIBE}`;
const byZone = (z: string) => demo.find((c) => c.zone === z)!;
const listenUrl = (c: ZoneConfig) => `http://${c.listen.host}:${c.listen.port}`;

const team = parseZoneFile({
  zone: TEAM,
  parent: { zone: VIBE, url: listenUrl(byZone(VIBE)) },
  listen: { host: '127.0.0.1', port: 7399 },
  region: 'eu-west',
  policy: { upstreams: { allow_private: true } },
});
const vibeWithChild: ZoneConfig = {
  ...byZone(VIBE),
  delegations: [...byZone(VIBE).delegations, { zone: TEAM, endpoints: [{ url: listenUrl(team), region: 'eu-west' }] }],
};

/** The seed deployer, served by a node of its own on loopback with the given policy. */
async function soloVibe(policy: Record<string, unknown>): Promise<RunningNode> {
  const c = byZone(VIBE);
  const config = parseZoneFile({
    zone: VIBE,
    parent: { zone: ROOT, url: 'http://127.0.0.1:9' },
    listen: { host: '127.0.0.1', port: 0 },
    region: 'eu-west',
    agents: c.agents,
    policy: { upstreams: { allow_private: true }, ...policy },
  });
  return startNode({ config, port: 0, fsync: false });
}

const t = suite<{ fed: Federation; url: (zone: string) => string }>('internal records stay in their zone', {} as never);
t.before(async (ctx) => {
  ctx.fed = await startFederation([byZone(ROOT), byZone(`com.${ROOT}`), vibeWithChild, byZone(ACME), team], { ephemeralPorts: true, fsync: false });
  ctx.url = (zone) => ctx.fed.byZone(zone).url;
});
t.after(async (ctx) => ctx.fed.close());

const ids = (body: any): string[] => body.results.map((r: any) => r.id);

t('discover scope=federated from acme-corp.com: vibe-agency.com answers, without its internal agent', async ({ url }) => {
  const res = await http(`${url(ACME)}/v1/discover?q=deployment&scope=federated`);
  assert.is(res.status, 200);
  const vibe = res.body.registries.find((r: any) => r.zone === VIBE);
  assert.ok(vibe && vibe.status === 'ok', `vibe-agency.com was asked: ${JSON.stringify(res.body.registries)}`);
  assert.not.ok(ids(res.body).includes(DEPLOYER), JSON.stringify(res.body.results));
  // The question acme-corp.com sent was marked as a registry's: the same one asked by hand.
  const asRegistry = await http(`${url(VIBE)}/v1/discover?q=deployment&scope=local`, { headers: { [RESOLVER_HEADER]: ACME } });
  assert.equal(ids(asRegistry.body), []);
  // A client inside vibe-agency.com (loopback, the default policy) still finds it there.
  const inside = await http(`${url(VIBE)}/v1/discover?q=deployment&scope=local`);
  assert.equal(ids(inside.body), [DEPLOYER]);
});

t('discover scope=hierarchy from a child zone: the parent answers without its internal agent', async ({ url }) => {
  const res = await http(`${url(TEAM)}/v1/discover?q=deployment&scope=hierarchy`);
  assert.is(res.status, 200);
  const parent = res.body.registries.find((r: any) => r.zone === VIBE);
  assert.ok(parent && parent.status === 'ok', `the parent was asked: ${JSON.stringify(res.body.registries)}`);
  assert.not.ok(ids(res.body).includes(DEPLOYER), JSON.stringify(res.body.results));
  // Public agents of the parent do come through the same escalation.
  const pub = await http(`${url(TEAM)}/v1/discover?q=orchestrate_sdlc&scope=hierarchy`);
  assert.ok(ids(pub.body).includes(ORCHESTRATOR), JSON.stringify(pub.body));
});

t('GET /v1/agents/:name: a loopback client gets it by default; another registry gets 404', async ({ url }) => {
  const inside = await http(`${url(VIBE)}/v1/agents/vibe-agency-deployer`);
  assert.is(inside.status, 200);
  assert.is(inside.body.visibility, 'internal');
  const registry = await http(`${url(VIBE)}/v1/agents/vibe-agency-deployer`, { headers: { [RESOLVER_HEADER]: ACME } });
  assert.is(registry.status, 404);
  const missing = await http(`${url(VIBE)}/v1/agents/no-such-agent`);
  assert.is(registry.body.code, missing.body.code, 'the same 404 as an agent that does not exist');
});

t('GET /v1/agents/:name and resolve: a client outside policy.internal_clients gets 404 / NXDOMAIN', async () => {
  const node = await soloVibe({ internal_clients: [] });
  try {
    assert.is((await http(`${node.url}/v1/agents/vibe-agency-deployer`)).status, 404);
    assert.is((await http(`${node.url}/v1/agents/vibe-agency-orchestrator`)).status, 200);
    for (const q of ['', '&rd=0']) {
      const r = await http(`${node.url}/v1/resolve?name=vibe-agency-deployer${q}`);
      assert.is(r.status, 404, q);
      assert.is(r.body.status, 'NXDOMAIN');
    }
    // In-process requests (no socket) come from the node's own process.
    assert.is((await node.app.request('/v1/agents/vibe-agency-deployer')).status, 200);
  } finally {
    await node.close();
  }
});

t('behind a trusted proxy: X-Forwarded-For names the client, on every request of a keep-alive connection', async () => {
  const node = await soloVibe({ limits: { trusted_proxies: ['127.0.0.1'] } });
  const outside = { 'x-forwarded-for': '203.0.113.7' };
  try {
    for (let round = 0; round < 2; round++) {
      assert.is((await http(`${node.url}/v1/agents/vibe-agency-deployer`)).status, 200, 'the proxy host itself, no header');
      assert.is((await http(`${node.url}/v1/agents/vibe-agency-deployer`, { headers: outside })).status, 404);
      assert.is((await http(`${node.url}/v1/resolve?name=vibe-agency-deployer`)).body.status, 'NOERROR');
      assert.is((await http(`${node.url}/v1/resolve?name=vibe-agency-deployer`, { headers: outside })).body.status, 'NXDOMAIN');
      assert.is((await http(`${node.url}/v1/resolve?name=vibe-agency-deployer&rd=0`, { headers: outside })).status, 404);
      assert.equal(ids((await http(`${node.url}/v1/discover?q=deployment&scope=local`, { headers: outside })).body), []);
    }
  } finally {
    await node.close();
  }
});

t('resolve: the zone answers its own client; a resolver in another zone gets NXDOMAIN', async ({ fed, url }) => {
  for (const q of ['', '&rd=0']) {
    const own = await http(`${url(VIBE)}/v1/resolve?name=${DEPLOYER}${q}`);
    assert.is(own.status, 200, `direct client${q}`);
    assert.is(own.body.answer.id, DEPLOYER);
    // Another registry's question, recursive or rd=0, fast path and hono alike, asked in
    // between inside questions (the kept renderings of the two audiences do not mix).
    const asked = await http(`${url(VIBE)}/v1/resolve?name=${DEPLOYER}${q}`, { headers: { [RESOLVER_HEADER]: ACME } });
    assert.is(asked.status, 404, `resolver header${q}`);
    assert.is(asked.body.status, 'NXDOMAIN');
    const viaHono = await fed.byZone(VIBE).app.request(`/v1/resolve?name=${DEPLOYER}${q}`, { headers: { [RESOLVER_HEADER]: ACME } });
    assert.is(viaHono.status, 404);
    assert.is((await http(`${url(VIBE)}/v1/resolve?name=${DEPLOYER}${q}`)).status, 200);
  }
  // acme-corp.com resolving it walks to vibe-agency.com as a registry: NXDOMAIN, also cached.
  for (let i = 0; i < 2; i++) {
    const there = await http(`${url(ACME)}/v1/resolve?name=${DEPLOYER}`);
    assert.is(there.status, 404);
    assert.is(there.body.status, 'NXDOMAIN');
    assert.is(there.body.zone, VIBE);
  }
  assert.is((await http(`${url(ACME)}/v1/resolve?name=${ORCHESTRATOR}`)).body.status, 'NOERROR');
  // And should a registry hand out an internal record anyway, a resolver refuses it as lame.
  const leaked = fed.byZone(VIBE).ctx.store.get('vibe-agency-deployer')!;
  try {
    parseLocalAnswer(200, { status: 'NOERROR', name: DEPLOYER, answer: leaked, ttl: 60, zone: VIBE }, { name: DEPLOYER, zone: VIBE, rootDomain: ROOT });
    assert.unreachable('an internal record was accepted from another registry');
  } catch (err) {
    assert.ok(isLame(err), String(err));
  }
});

t('sync pages never carry it', async ({ fed }) => {
  const page = await buildSyncPage(fed.byZone(VIBE).ctx.store, 0, 1000);
  const entries = JSON.parse(page.body.join('')).entries as { record: { id: string } }[];
  assert.ok(entries.some((e) => e.record.id === ORCHESTRATOR));
  assert.not.ok(entries.some((e) => e.record.id === DEPLOYER));
});

t('push: never sent, and refused when a child sends it anyway', async ({ fed }) => {
  const store = fed.byZone(VIBE).ctx.store;
  const out = pushEntries(store.changesSince(0, 1000).entries);
  assert.ok(out.some((e) => e.op === 'put' && e.ref.id === ORCHESTRATOR));
  assert.not.ok(out.some((e) => (e.op === 'put' ? e.ref.id : e.id) === DEPLOYER));
  const deployer = store.get('vibe-agency-deployer')!;
  assert.is(referenceOf(deployer), undefined);
  assert.is(pushEntryFor({ seq: 1, op: 'delete', record: { ...deployer, tombstone: 'a.b.c' } }), undefined, 'nor its delete, even with the signed unpublish kept');
  const ref = { ...referenceOf({ ...deployer, visibility: 'public' })!, id: DEPLOYER }; // the record's own signed manifest says internal
  const { good, rejected } = await checkPushEntries([{ op: 'put', ref }], { rootDomain: ROOT, sender: VIBE });
  assert.is(good.length, 0);
  assert.equal(rejected.map((r) => [r.id, r.code]), [[DEPLOYER, 'NOT_PERMITTED']]);
});

t('the rule: public to everyone, anything else inside only; internal_clients is a CIDR list', () => {
  assert.ok(visibleTo({ visibility: 'public' }, 'outside'));
  assert.not.ok(visibleTo({ visibility: 'internal' }, 'outside'));
  assert.not.ok(visibleTo({ visibility: 'unheard-of' }, 'outside'));
  assert.ok(visibleTo({ visibility: 'internal' }, 'inside'));
  const loopback = new InternalClients();
  for (const a of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) assert.ok(loopback.includes(a), a);
  for (const a of ['10.0.0.1', '::2', 'fe80::1', '', 'not-an-address', undefined]) assert.not.ok(loopback.includes(a), String(a));
  const office = new InternalClients(['10.20.0.0/16', 'fd00::/8']);
  assert.ok(office.includes('10.20.3.4') && office.includes('fd12::1'));
  assert.not.ok(office.includes('10.21.0.1') || office.includes('127.0.0.1'));
  assert.throws(() => parseZoneFile({ ...{ zone: ROOT, listen: { port: 0 } }, policy: { internal_clients: ['10.0.0.0/33'] } }), /internal_clients\/0/);
});

t.run();

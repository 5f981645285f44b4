// Sibling replicas share their subtree index (SPEC §6, issue #9), on real nodes on port 0:
// root ← com (two replicas, A in eu-west and B in us-east) ← acme-labs.com, whose parent
// endpoint is A only. An agent published at the leaf is found by `scope=local` at B within
// moments (A forwards it: B has no other way until its next pull, 6 h away), and its
// unpublish follows; with B stopped during the publish — and A restarted meanwhile — it
// waits in A's durable outbox for B and arrives once B is back. A push to A that claims
// A's own zone is refused unless signed with that zone's certificate, and even then takes
// no record of the zone itself and no internal record.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { demoMaterial } from '../../src/identity/material.js';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import type { DeliveryOptions } from '../../src/node/delivery.js';
import { signCompact } from '../../src/records/keys.js';
import type { AgentRecord } from '../../src/records/types.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { key, manifest } from '../records/fixtures.js';
import { http, ROOT } from '../helpers/node.js';
import { signedHttp } from '../helpers/signed.js';

const COM = `com.${ROOT}`;
const NS = 'acme-labs.com';
const LEAF = `${NS}.${ROOT}`;
const DEADLINE_MS = 60_000;
const B_ID = `us-east:${COM}`;
const A_ID = `eu-west:${COM}`;

type Name = 'root' | 'A' | 'B' | 'leaf';

async function tree() {
  const dir = await mkdtemp(join(tmpdir(), 'steward-replica-push-'));
  const certs = join(dir, 'certs');
  const delivery: DeliveryOptions = { pushRetryCapMs: 200 };
  const zone = (z: string, port: number, region: string, extra: Record<string, unknown>) => parseZoneFile({ zone: z, listen: { host: '127.0.0.1', port }, region, policy: { upstreams: { allow_private: true } }, ...extra });
  // As the demo's zone files: each replica lists both, itself included (skipped by its listen address).
  const replicas = [{ url: 'http://127.0.0.1:7321', region: 'eu-west' }, { url: 'http://127.0.0.1:7322', region: 'us-east' }];
  const com = { parent: { zone: ROOT, url: 'http://127.0.0.1:7320' }, replicas, delegations: [{ zone: LEAF, endpoints: [{ url: 'http://127.0.0.1:7323' }] }] };
  const configs = [
    zone(ROOT, 7320, 'eu-west', { delegations: [{ zone: COM, endpoints: replicas.map((r) => ({ url: r.url })) }] }),
    zone(COM, 7321, 'eu-west', com),
    zone(COM, 7322, 'us-east', com),
    zone(LEAF, 7323, 'eu-west', { parent: { zone: COM, url: 'http://127.0.0.1:7321' } }), // A only
  ];
  const fed: Federation = await startFederation(configs, { ephemeralPorts: true, dataDir: join(dir, 'data'), certsDir: certs, fsync: false, delivery });
  const at = (z: string, region: string) => fed.nodes.find((x) => x.ctx.config.zone === z && x.ctx.config.region === region)!;
  const nodes = new Map<Name, RunningNode>([['root', at(ROOT, 'eu-west')], ['A', at(COM, 'eu-west')], ['B', at(COM, 'us-east')], ['leaf', at(LEAF, 'eu-west')]]);
  const dataDirs: Record<Name, string> = { root: ROOT, A: COM, B: `${COM}@us-east-7322`, leaf: LEAF };
  const zones: Record<Name, string> = { root: ROOT, A: COM, B: COM, leaf: LEAF };
  return {
    nodes, certs,
    get: (n: Name) => nodes.get(n)!,
    stop: (n: Name) => nodes.get(n)!.close(),
    /** Starts `n` again on its port and data directory (after stop). */
    async restart(n: Name) {
      const old = nodes.get(n)!;
      const node = await startNode({ config: old.ctx.config, port: old.port, dataDir: join(dir, 'data', dataDirs[n]), fsync: false, identity: await demoMaterial(zones[n], ROOT, certs), delivery, seed: false });
      nodes.set(n, node);
      return node;
    },
    async close() {
      await Promise.all([...nodes.values()].map((n) => n.close().catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const agent = (name: string, capability: string, over: Record<string, unknown> = {}) =>
  manifest({ name, namespace: NS, version: '1.0.0', capabilities: [capability], endpoints: [{ url: `https://agents.example.com/${name}`, protocol: 'a2a', region: 'eu-west' }], ...over });
const publish = async (node: RunningNode, name: string, capability: string, over: Record<string, unknown> = {}) => {
  const jws = await signCompact(agent(name, capability, over), await key());
  const res = await http(`${node.url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
  assert.is(res.status, 201, JSON.stringify(res.body));
};
const unpublish = async (node: RunningNode, name: string) => {
  const jws = await signCompact({ name, namespace: NS, deleted: true, version: '1.0.0' }, await key());
  const res = await http(`${node.url}/v1/agents/${name}`, { method: 'DELETE', headers: { 'content-type': 'application/jose' }, body: jws });
  assert.is(res.status, 200, JSON.stringify(res.body));
};
const found = async (node: RunningNode, q: string) => ((await http(`${node.url}/v1/discover?q=${q}&scope=local`)).body.results as { id: string }[]).map((r) => r.id);
/** Pushes B's audit log names as coming from its own zone (a sibling's push, not a child's). */
const siblingPushes = (node: RunningNode) => node.ctx.audit.query({ sinceSeq: 0, kinds: ['push'], limit: 1000 }).entries.filter((e) => e.peer === COM && /replica/.test(e.detail));

async function until(what: string, ok: () => Promise<boolean> | boolean) {
  const end = Date.now() + DEADLINE_MS;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not reached within ${DEADLINE_MS} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A put entry for `r`, as a push carries it (also for records that may never leave their zone). */
const putOf = (r: AgentRecord) => ({
  op: 'put',
  ref: { id: r.id, namespace: r.namespace, zone: r.zone, name: r.name, version: r.version, capabilities: r.capabilities, tags: r.tags ?? [], trust: r.trust, digest: r.digest, fingerprint: r.fingerprint, published_at: r.published_at, vector_clock: r.vector_clock, jws: r.jws },
});

const t = suite('sibling replicas forward their subtree index');
let tr: Awaited<ReturnType<typeof tree>>;
t.before(async () => {
  tr = await tree();
});
t.after(async () => tr.close());

t('published at the leaf (which pushes to A only), the agent is found at B; its unpublish follows', async () => {
  const A = tr.get('A');
  const B = tr.get('B');
  assert.equal([...A.ctx.delivery!.siblings.keys()], [B_ID], 'A forwards to B, not to itself');
  assert.equal([...B.ctx.delivery!.siblings.keys()], [A_ID]);
  await publish(tr.get('leaf'), 'mirror-orchestrator', 'mirror_probe');
  const id = `mirror-orchestrator.${LEAF}`;
  await until('found at B', async () => (await found(B, 'mirror_probe')).includes(id));
  assert.ok((await found(A, 'mirror_probe')).includes(id));
  assert.ok(siblingPushes(B).some((e) => (e.data as { accepted: number }).accepted >= 1), 'B took it from a push of its sibling');
  await until('found at the root (both replicas push up; the root dedups)', async () => (await found(tr.get('root'), 'mirror_probe')).includes(id));
  await unpublish(tr.get('leaf'), 'mirror-orchestrator');
  await until('gone at B', async () => !(await found(B, 'mirror_probe')).includes(id));
  assert.ok(B.ctx.subtree.deleted(id), 'B keeps the signed unpublish');
  await until('gone at the root', async () => !(await found(tr.get('root'), 'mirror_probe')).includes(id));
  // what B took from its sibling is not sent back (A would only answer duplicates)
  await until('every outbox drained', () => A.ctx.health.outboxDepth === 0 && B.ctx.health.outboxDepth === 0);
  assert.is(B.ctx.delivery!.siblings.get(A_ID)!.stats.pushes, 0, 'B pushed nothing to A');
});

t('with B stopped during the publish (and A restarted meanwhile), the agent waits in A\'s outbox for B and arrives once B is back', async () => {
  await tr.stop('B');
  await publish(tr.get('leaf'), 'patient-mirror', 'patient_mirror_probe');
  const id = `patient-mirror.${LEAF}`;
  await until('found at A', async () => (await found(tr.get('A'), 'patient_mirror_probe')).includes(id));
  await until('A sees B down', () => tr.get('A').ctx.health.list('replica').some((p) => p.key === B_ID && !p.up));
  const waiting = tr.get('A').ctx.delivery!.siblings.get(B_ID)!;
  assert.ok(waiting.depthNow >= 1);
  assert.ok(tr.get('A').ctx.health.outboxDepth >= 1, 'the sibling outbox counts in the outbox depth');
  await waiting.queue.durable();
  await tr.stop('A');
  const A = await tr.restart('A');
  assert.ok(A.ctx.delivery!.siblings.get(B_ID)!.depthNow >= 1, 'the entry for B was read back from disk');
  const B = await tr.restart('B');
  await until('found at B', async () => (await found(B, 'patient_mirror_probe')).includes(id));
  await until('A\'s outbox for B drained', () => A.ctx.delivery!.siblings.get(B_ID)!.depthNow === 0);
});

t('a push claiming A\'s own zone is refused unless signed with that zone\'s certificate; even then, no record of the zone itself and nothing internal', async () => {
  const A = tr.get('A');
  const url = `${A.url}/v1/push`;
  await publish(tr.get('leaf'), 'vouched-agent', 'vouched_probe');
  const id = `vouched-agent.${LEAF}`;
  await until('found at A', async () => (await found(A, 'vouched_probe')).includes(id));
  const entry = putOf(tr.get('leaf').ctx.store.get('vouched-agent')!);
  const body = JSON.stringify({ zone: COM, entries: [entry] });
  const headers = { 'content-type': 'application/json' };
  // unsigned
  assert.is((await http(url, { method: 'POST', headers, body })).status, 401);
  // signed by other registries: the child, the root (an ancestor), each naming A's zone
  for (const z of [LEAF, ROOT]) {
    const res = await signedHttp(url, { method: 'POST', headers, body }, await demoMaterial(z, ROOT, tr.certs));
    assert.is(res.status, 403, `${z}: ${JSON.stringify(res.body)}`);
    assert.is(res.body.code, 'NOT_PERMITTED');
  }
  // a replica of the zone (its certificate): taken (a duplicate here)
  const com = await demoMaterial(COM, ROOT, tr.certs);
  const ok = await signedHttp(url, { method: 'POST', headers, body }, com);
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body, { accepted: 0, duplicates: 1, rejected: [] });
  // ...but never a record of the zone itself (replicas exchange those by anti-entropy)
  const own = await signCompact(manifest({ name: 'own-agent', namespace: 'com', version: '1.0.0' }), await key());
  const ownRes = await http(`${A.url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: own });
  assert.is(ownRes.status, 201, JSON.stringify(ownRes.body));
  const ownPush = await signedHttp(url, { method: 'POST', headers, body: JSON.stringify({ zone: COM, entries: [putOf(A.ctx.store.get('own-agent')!)] }) }, com);
  assert.is(ownPush.status, 403, JSON.stringify(ownPush.body));
  assert.is(A.ctx.subtree.get(`own-agent.${COM}`), undefined);
  // ...nor an internal record of a zone below
  await publish(tr.get('leaf'), 'secret-agent', 'secret_probe', { visibility: 'internal' });
  const secret = await signedHttp(url, { method: 'POST', headers, body: JSON.stringify({ zone: COM, entries: [putOf(tr.get('leaf').ctx.store.get('secret-agent')!)] }) }, com);
  assert.is(secret.status, 403, JSON.stringify(secret.body));
  assert.is((secret.body.rejected as { code: string }[])[0]?.code, 'NOT_PERMITTED');
  for (const n of ['A', 'B', 'root'] as const) assert.is(tr.get(n).ctx.subtree.get(`secret-agent.${LEAF}`), undefined, `${n} holds no internal record`);
});

t.run();

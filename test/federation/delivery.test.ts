// Delivery on real nodes (root ← com ← acme-labs.com, demo identities, port 0): an agent
// published at the leaf is found at the root (pushed through two levels, and its unpublish
// too); with com stopped during the publish it arrives once com is back (the outbox), also
// when the publishing node restarts meanwhile; with pushes off at the leaf it arrives by
// com's pull (and goes on up by com's push), and so does its unpublish, also when the leaf
// restarted before the pull.
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
import { parseZoneFile } from '../../src/zonefile/index.js';
import { key, manifest } from '../records/fixtures.js';
import { http, ROOT } from '../helpers/node.js';

const COM = `com.${ROOT}`;
const NS = 'acme-labs.com';
const LEAF = `${NS}.${ROOT}`;
const DEADLINE_MS = 20_000;

interface Tree { fed: Federation; dir: string; nodes: Map<string, RunningNode>; delivery: DeliveryOptions; restart(zone: string): Promise<RunningNode>; stop(zone: string): Promise<void>; close(): Promise<void> }

async function tree(leafPolicy: Record<string, unknown> = {}, delivery: DeliveryOptions = { pushRetryCapMs: 200 }): Promise<Tree> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-delivery-'));
  const zone = (z: string, port: number, extra: Record<string, unknown>) => parseZoneFile({ zone: z, listen: { host: '127.0.0.1', port }, region: 'eu-west', policy: { upstreams: { allow_private: true }, ...(extra.policy as object) }, ...extra });
  const configs = [
    zone(ROOT, 7301, { delegations: [{ zone: COM, endpoints: [{ url: 'http://127.0.0.1:7302' }] }] }),
    zone(COM, 7302, { parent: { zone: ROOT, url: 'http://127.0.0.1:7301' }, delegations: [{ zone: LEAF, endpoints: [{ url: 'http://127.0.0.1:7303' }] }] }),
    zone(LEAF, 7303, { parent: { zone: COM, url: 'http://127.0.0.1:7302' }, policy: leafPolicy }),
  ];
  const fed = await startFederation(configs, { ephemeralPorts: true, dataDir: join(dir, 'data'), certsDir: join(dir, 'certs'), fsync: false, delivery });
  const nodes = new Map(fed.nodes.map((n) => [n.ctx.config.zone, n]));
  return {
    fed, dir, nodes, delivery,
    async stop(z) {
      await nodes.get(z)!.close();
    },
    /** Starts `z` again on its port and data directory (after stop). */
    async restart(z) {
      const old = nodes.get(z)!;
      const n = await startNode({ config: old.ctx.config, port: old.port, dataDir: join(dir, 'data', z), fsync: false, identity: await demoMaterial(z, ROOT, join(dir, 'certs')), delivery, seed: false });
      nodes.set(z, n);
      return n;
    },
    async close() {
      await Promise.all([...nodes.values()].map((n) => n.close().catch(() => undefined)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const publish = async (node: RunningNode, name: string, capability: string, version = '1.0.0') => {
  const jws = await signCompact(manifest({ name, namespace: NS, version, capabilities: [capability], endpoints: [{ url: `https://agents.example.com/${name}`, protocol: 'a2a', region: 'eu-west' }] }), await key());
  const res = await http(`${node.url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
  assert.is(res.status, 201, JSON.stringify(res.body));
};
const unpublish = async (node: RunningNode, name: string, version = '1.0.0') => {
  const jws = await signCompact({ name, namespace: NS, deleted: true, version }, await key());
  const res = await http(`${node.url}/v1/agents/${name}`, { method: 'DELETE', headers: { 'content-type': 'application/jose' }, body: jws });
  assert.is(res.status, 200, JSON.stringify(res.body));
};
const found = async (node: RunningNode, q: string) => ((await http(`${node.url}/v1/discover?q=${q}&scope=local`)).body.results as { id: string }[]).map((r) => r.id);

async function until(what: string, ok: () => Promise<boolean> | boolean) {
  const end = Date.now() + DEADLINE_MS;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not reached within ${DEADLINE_MS} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const t = suite('push outbox and pull');
let tr: Tree;
t.before(async () => {
  tr = await tree();
});
t.after(async () => tr.close());

t('published at the leaf, the agent is found at com and at the root (pushed through two levels); its unpublish follows', async () => {
  const leaf = tr.nodes.get(LEAF)!;
  await publish(leaf, 'relay-orchestrator', 'relay_probe');
  const id = `relay-orchestrator.${LEAF}`;
  await until('found at the root', async () => (await found(tr.nodes.get(ROOT)!, 'relay_probe')).includes(id));
  assert.ok((await found(tr.nodes.get(COM)!, 'relay_probe')).includes(id));
  assert.is(tr.nodes.get(ROOT)!.ctx.subtree.get(id)?.version, '1.0.0');
  // each receiver's audit log (read by its operator: loopback) has the push it took
  for (const [at, from] of [[COM, LEAF], [ROOT, COM]] as const) {
    const audit = await http(`${tr.nodes.get(at)!.url}/v1/audit?kind=push`);
    assert.is(audit.status, 200, JSON.stringify(audit.body));
    assert.ok((audit.body.entries as { peer: string; data: { accepted: number } }[]).some((e) => e.peer === from && e.data.accepted >= 1), `${at}: ${JSON.stringify(audit.body)}`);
  }
  await unpublish(leaf, 'relay-orchestrator');
  await until('gone at the root', async () => !(await found(tr.nodes.get(ROOT)!, 'relay_probe')).includes(id));
  assert.is(tr.nodes.get(COM)!.ctx.subtree.get(id), undefined);
  await until('the leaf outbox drained', () => leaf.ctx.health.outboxDepth === 0);
});

t('with com stopped during the publish, the agent waits in the outbox and arrives once com is back', async () => {
  const leaf = tr.nodes.get(LEAF)!;
  await tr.stop(COM);
  await publish(leaf, 'patient-orchestrator', 'patient_probe');
  await until('the leaf sees com down', () => leaf.ctx.health.list('parent').some((p) => p.key === COM && !p.up));
  assert.ok(leaf.ctx.health.outboxDepth >= 1);
  await tr.restart(COM);
  const id = `patient-orchestrator.${LEAF}`;
  await until('found at the root', async () => (await found(tr.nodes.get(ROOT)!, 'patient_probe')).includes(id));
  await until('the leaf sees com up, outbox empty', () => leaf.ctx.health.outboxDepth === 0 && leaf.ctx.health.list('parent').some((p) => p.key === COM && p.up));
});

t('the outbox survives a restart of the publishing node: com down, publish, leaf restarted, com back: it arrives', async () => {
  await tr.stop(COM);
  await publish(tr.nodes.get(LEAF)!, 'durable-orchestrator', 'durable_probe');
  await tr.nodes.get(LEAF)!.ctx.delivery!.outbox!.queue.durable();
  await tr.stop(LEAF);
  const leaf = await tr.restart(LEAF);
  assert.ok(leaf.ctx.health.outboxDepth >= 1, 'the queued entry was read back from disk');
  await tr.restart(COM);
  const id = `durable-orchestrator.${LEAF}`;
  await until('found at the root', async () => (await found(tr.nodes.get(ROOT)!, 'durable_probe')).includes(id));
  await until('outbox empty', () => leaf.ctx.health.outboxDepth === 0);
});

t.run();

const p = suite('pull when pushes are off');
let pt: Tree;
p.before(async () => {
  pt = await tree({ federation: { push: false } }, { pullIntervalMs: 300, pushRetryCapMs: 200 });
});
p.after(async () => pt.close());

p('with the leaf not pushing, com pulls the agent (and pushes it on to the root); the cursor is kept per child and survives a restart', async () => {
  const leaf = pt.nodes.get(LEAF)!;
  assert.is(leaf.ctx.delivery?.outbox, undefined, 'no outbox with federation.push false');
  await publish(leaf, 'pulled-orchestrator', 'pulled_probe');
  const id = `pulled-orchestrator.${LEAF}`;
  await until('found at com', async () => (await found(pt.nodes.get(COM)!, 'pulled_probe')).includes(id));
  await until('found at the root', async () => (await found(pt.nodes.get(ROOT)!, 'pulled_probe')).includes(id));
  const com = pt.nodes.get(COM)!;
  await until('com reports the leaf synced', () => com.ctx.health.lagSeconds(LEAF) !== undefined);
  const cursor = com.ctx.delivery!.puller!.cursor(LEAF);
  assert.ok(cursor >= leaf.ctx.store.serial, `cursor ${cursor} is at the leaf's serial ${leaf.ctx.store.serial}`);
  const audit = com.ctx.audit.query({ kinds: ['pull'] }).entries;
  assert.ok(audit.some((e) => e.peer === LEAF && (e.data as { applied: number }).applied >= 1), 'the pull is in the audit log');
  await pt.stop(COM);
  const again = await pt.restart(COM);
  assert.is(again.ctx.delivery!.puller!.cursor(LEAF), cursor, 'the cursor was kept on disk');
});

p('with the leaf not pushing, its unpublish is repaired by pull too: gone at com and at the root after the next round', async () => {
  const leaf = pt.nodes.get(LEAF)!;
  await publish(leaf, 'unpulled-orchestrator', 'unpulled_probe');
  const id = `unpulled-orchestrator.${LEAF}`;
  await until('found at the root', async () => (await found(pt.nodes.get(ROOT)!, 'unpulled_probe')).includes(id));
  await unpublish(leaf, 'unpulled-orchestrator');
  await until('gone at com', async () => !(await found(pt.nodes.get(COM)!, 'unpulled_probe')).includes(id));
  await until('gone at the root', async () => !(await found(pt.nodes.get(ROOT)!, 'unpulled_probe')).includes(id));
  const com = pt.nodes.get(COM)!;
  assert.is(com.ctx.subtree.get(id), undefined);
  assert.ok(com.ctx.subtree.deleted(id)?.tombstone, 'com keeps the signed unpublish it pulled');
  assert.is(pt.nodes.get(ROOT)!.ctx.subtree.get(id), undefined);
});

p('the unpublish is pulled even when the leaf restarted between it and the pull (the signed unpublish is kept on disk)', async () => {
  let leaf = pt.nodes.get(LEAF)!;
  await publish(leaf, 'restarted-orchestrator', 'restarted_probe');
  const id = `restarted-orchestrator.${LEAF}`;
  await until('found at the root', async () => (await found(pt.nodes.get(ROOT)!, 'restarted_probe')).includes(id));
  await pt.stop(COM); // no pull until the leaf has restarted
  await unpublish(leaf, 'restarted-orchestrator');
  await leaf.ctx.store.durable();
  await pt.stop(LEAF);
  leaf = await pt.restart(LEAF);
  assert.ok(leaf.ctx.store.deleted('restarted-orchestrator')?.tombstone, 'the leaf read its signed unpublish back');
  const com = await pt.restart(COM);
  await until('gone at com', async () => !(await found(com, 'restarted_probe')).includes(id));
  await until('gone at the root', async () => !(await found(pt.nodes.get(ROOT)!, 'restarted_probe')).includes(id));
});

p('a child that cannot be reached is marked down and pulled again next round', async () => {
  await pt.stop(LEAF);
  const com = pt.nodes.get(COM)!;
  await until('com marks the leaf down', () => com.ctx.health.list('child').some((x) => x.key === LEAF && !x.up));
  const leaf = await pt.restart(LEAF);
  await publish(leaf, 'late-orchestrator', 'late_probe');
  await until('found at com after the leaf is back', async () => (await found(com, 'late_probe')).includes(`late-orchestrator.${LEAF}`));
  await until('com marks the leaf up', () => com.ctx.health.list('child').some((x) => x.key === LEAF && x.up));
});

p.run();

// Push storage and the sync log on real nodes (root + com with demo identities, a child
// registered at com, all on port 0): what a child pushes is stored in com's subtree index
// and found by discover there and, pushed on, at the root; duplicates, rejections and
// deletes follow §2/§6; the index survives a restart; GET /v1/sync serves com's own
// records, then the subtree's references, and resumes with `since`; an own unpublish is
// served with its signed unpublish.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { manifestDigest } from '../../src/records/digest.js';
import { generatePublisherKey, signCompact, type PublisherKey } from '../../src/records/keys.js';
import { http, manifest, ROOT } from '../helpers/node.js';
import { COM, identityTree } from '../identity/helpers.js';
import { materialOf, registerChild, send, signedRaw, type Registered } from '../identity/exchange.js';

const t = suite('push storage and sync');
const NS = 'acme-labs.com';
let tree: Awaited<ReturnType<typeof identityTree>>;
let acme: Registered;
let key: PublisherKey;
let thief: PublisherKey;

t.before(async () => {
  tree = await identityTree();
  acme = await registerChild(tree.com, NS);
  key = await generatePublisherKey('ES256');
  thief = await generatePublisherKey('ES256');
});
t.after(async () => tree.close());

const idOf = (name: string) => `${name}.${NS}.${ROOT}`;

async function putEntry(name: string, o: { version?: string; k?: PublisherKey; capabilities?: string[] } = {}) {
  const m = manifest({ name, namespace: NS, version: o.version ?? '1.0.0', capabilities: o.capabilities ?? ['subtree_probe'], endpoints: [{ url: `https://agents.example.com/${name}`, protocol: 'a2a', region: 'eu-west' }] });
  const k = o.k ?? key;
  return {
    op: 'put',
    ref: {
      id: idOf(name), namespace: NS, zone: `${NS}.${ROOT}`, name, version: m.version, description: m.description, capabilities: m.capabilities,
      tags: m.tags, trust: 0.5, digest: manifestDigest(m), fingerprint: k.fingerprint, published_at: new Date().toISOString(), vector_clock: { a: 1 },
      jws: await signCompact(m, k),
    },
  };
}

async function deleteEntry(name: string, version = '1.0.0') {
  return { op: 'delete', id: idOf(name), version, tombstone: await signCompact({ name, namespace: NS, deleted: true, version }, key) };
}

/** A signed push from the child to com (or, as com, on to the root). */
const pushToCom = async (entries: unknown[]) => send(signedRaw(acme, 'POST', `${tree.com.url}/v1/push`, { zone: acme.zone, entries }));
const pushToRoot = async (entries: unknown[]) => send(signedRaw(materialOf(tree.com), 'POST', `${tree.root.url}/v1/push`, { zone: COM, entries }));
const found = async (url: string, q: string) => ((await http(`${url}/v1/discover?q=${q}&scope=local`)).body.results as { id: string; version: string }[]).map((r) => `${r.id}@${r.version}`);
const ok = (res: { status: number; body: any }) => {
  assert.is(res.status, 200, JSON.stringify(res.body));
  return res.body as { accepted: number; duplicates: number; rejected: { id: string; code: string }[] };
};

t('a push is stored: discover at com finds it, and pushed on, the root does too', async () => {
  const e = await putEntry('probe-orchestrator');
  assert.equal(ok(await pushToCom([e])), { accepted: 1, duplicates: 0, rejected: [] });
  assert.equal(await found(tree.com.url, 'subtree_probe'), [`${idOf('probe-orchestrator')}@1.0.0`]);
  // com pushes what it accepted on to the root by itself (its outbox, federation/push/README.md)
  for (const end = Date.now() + 20_000; !(await found(tree.root.url, 'subtree_probe')).length && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await found(tree.root.url, 'subtree_probe'), [`${idOf('probe-orchestrator')}@1.0.0`]);
  assert.equal(ok(await pushToRoot([e])), { accepted: 0, duplicates: 1, rejected: [] }, 'the same entry pushed again by hand is a duplicate');
  assert.equal(await found(tree.root.url, 'probe'), [`${idOf('probe-orchestrator')}@1.0.0`], 'by keyword too');
});

t('the same push twice: the second is all duplicates and changes nothing', async () => {
  const e = await putEntry('probe-twice');
  assert.is(ok(await pushToCom([e])).accepted, 1);
  const serial = tree.com.ctx.subtree.serial;
  assert.equal(ok(await pushToCom([e])), { accepted: 0, duplicates: 1, rejected: [] });
  assert.is(tree.com.ctx.subtree.serial, serial);
});

t('a lower version and another key are rejected alone; the higher version is stored', async () => {
  await pushToCom([await putEntry('probe-versions', { version: '2.0.0' })]);
  const r = ok(await pushToCom([
    await putEntry('probe-versions', { version: '1.5.0' }),
    await putEntry('probe-versions', { version: '3.0.0', k: thief }),
    await putEntry('probe-versions', { version: '2.1.0' }),
  ]));
  assert.is(r.accepted, 1);
  assert.equal(r.rejected.map((x) => [x.id, x.code]), [[idOf('probe-versions'), 'VERSION_NOT_RISING'], [idOf('probe-versions'), 'KEY_MISMATCH']]);
  assert.is(tree.com.ctx.subtree.get(idOf('probe-versions'))!.version, '2.1.0');
});

t('a delete with its tombstone removes the reference from discover', async () => {
  await pushToCom([await putEntry('probe-gone', { capabilities: ['gone_probe'] })]);
  assert.is((await found(tree.com.url, 'gone_probe')).length, 1);
  assert.equal(ok(await pushToCom([await deleteEntry('probe-gone')])), { accepted: 1, duplicates: 0, rejected: [] });
  assert.equal(await found(tree.com.url, 'gone_probe'), []);
  assert.equal(ok(await pushToCom([await deleteEntry('probe-gone')])).duplicates, 1);
});

t('a tombstone signed for another namespace removes nothing', async () => {
  await pushToCom([await putEntry('probe-kept', { capabilities: ['kept_probe'] })]);
  const elsewhere = { op: 'delete', id: idOf('probe-kept'), version: '1.0.0', tombstone: await signCompact({ name: 'probe-kept', namespace: 'other.com', deleted: true, version: '1.0.0' }, key) };
  assert.equal(ok(await pushToCom([elsewhere])).rejected.map((r) => r.code), ['WRONG_NAMESPACE']);
  assert.is((await found(tree.com.url, 'kept_probe')).length, 1);
});

t('sync from com: its own public records, then the subtree references; resumes with since', async () => {
  // an own record of com, published after the references above: still served first
  const own = await signCompact(manifest({ name: 'com-own-bot', namespace: 'com', capabilities: ['own_probe'] }), key);
  assert.is((await http(`${tree.com.url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: own })).status, 201);
  const root = materialOf(tree.root);
  const pull = async (since: number, limit: number) => {
    const res = await send(signedRaw(root, 'GET', `${tree.com.url}/v1/sync?since=${since}&limit=${limit}`));
    assert.is(res.status, 200, JSON.stringify(res.body));
    return res.body as { entries: { seq: number; op: string; record?: { id: string }; ref?: { id: string }; tombstone?: string }[]; next: number; serial: number };
  };
  const whole = await pull(0, 1000);
  const kinds = whole.entries.map((e) => (e.record ? 'record' : 'ref'));
  assert.ok(kinds.indexOf('ref') > kinds.lastIndexOf('record'), `own records first: ${kinds}`);
  assert.ok(whole.entries.some((e) => e.record?.id === `com-own-bot.${COM}`));
  const refs = whole.entries.filter((e) => e.ref).map((e) => `${e.op} ${e.ref!.id}`);
  assert.ok(refs.includes(`put ${idOf('probe-orchestrator')}`) && refs.includes(`delete ${idOf('probe-gone')}`), refs.join(', '));
  assert.ok(whole.entries.find((e) => e.op === 'delete' && e.ref)!.tombstone, 'a delete carries its tombstone');
  const seqs = whole.entries.map((e) => e.seq);
  assert.equal(seqs, [...seqs].sort((a, b) => a - b), 'seqs rise');
  assert.is(whole.next, whole.serial);
  // page by two: the same entries, in the same order, each page resuming after the last
  const paged: number[] = [];
  for (let since = 0, n = 0; n < 50; n++) {
    const page = await pull(since, 2);
    paged.push(...page.entries.map((e) => e.seq));
    if (page.next === page.serial && page.entries.length < 2) break;
    since = page.next;
  }
  assert.equal(paged, seqs);
  // a new reference after the puller caught up: the next pull from `next` has just it
  await pushToCom([await putEntry('probe-late')]);
  const late = await pull(whole.next, 1000);
  assert.equal(late.entries.map((e) => e.ref?.id), [idOf('probe-late')]);
});

t("sync from com: an own public unpublish is served with its signed unpublish; an internal one is never served", async () => {
  const root = materialOf(tree.root);
  const gone: Record<string, string> = {};
  for (const [name, visibility] of [['com-vanished-bot', 'public'], ['com-secret-bot', 'internal']] as const) {
    const jws = await signCompact(manifest({ name, namespace: 'com', version: '1.0.0', capabilities: ['own_unpublish_probe'], visibility }), key);
    assert.is((await http(`${tree.com.url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws })).status, 201);
    gone[name] = await signCompact({ name, namespace: 'com', deleted: true, version: '1.0.0' }, key);
    const res = await http(`${tree.com.url}/v1/agents/${name}`, { method: 'DELETE', headers: { 'content-type': 'application/jose' }, body: gone[name] });
    assert.is(res.status, 200, JSON.stringify(res.body));
  }
  const res = await send(signedRaw(root, 'GET', `${tree.com.url}/v1/sync?since=0&limit=1000`));
  assert.is(res.status, 200, JSON.stringify(res.body));
  const entries = res.body.entries as { seq: number; op: string; id?: string; version?: string; tombstone?: string; record?: Record<string, unknown> }[];
  const own = entries.filter((e) => e.record && String(e.record.name) in gone);
  assert.equal(own.map((e) => `${e.op} ${e.record!.name}`), ['delete com-vanished-bot'], 'the internal record, put or deleted, never leaves com');
  const d = own[0]!;
  assert.equal([d.id, d.version, d.tombstone], [`com-vanished-bot.${COM}`, '1.0.0', gone['com-vanished-bot']]);
  assert.is(d.record!.tombstone, undefined, 'the unpublish is served once, beside the record');
});

t('a restart of com keeps its subtree index', async () => {
  const before = await found(tree.com.url, 'subtree_probe');
  assert.ok(before.length >= 3, before.join(', '));
  const serial = tree.com.ctx.subtree.serial;
  await tree.restartCom();
  assert.is(tree.com.ctx.subtree.serial, serial);
  assert.equal(await found(tree.com.url, 'subtree_probe'), before);
  assert.equal(await found(tree.com.url, 'gone_probe'), []);
});

t.run();

// The subtree index on its own: references come back exactly as stored, the §2/§6 rules
// decide each entry against what is held (duplicates change nothing), applied entries
// are announced once durable, and a reopened index holds the same references and answers
// the same discovers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverLocal } from '../../src/discover/local.js';
import { SubtreeIndex, type Applied } from '../../src/federation/subtree/index.js';
import { referenceOf } from '../../src/federation/push/outgoing.js';
import type { PushEntry, Reference } from '../../src/federation/push/entries.js';
import { makeRecord, NAMESPACE, newPublisher, plain, signManifest, tempDir, ZONE } from '../store/fixtures.js';

const test = suite('subtree index');
const pub = newPublisher();
const other = newPublisher();
const FROM = ZONE;

const ref = (name: string, o: Parameters<typeof makeRecord>[1] = {}): Reference => referenceOf(makeRecord(name, { pub, ...o }))!;
const put = (r: Reference): PushEntry => ({ op: 'put', ref: r });
const del = (name: string, version = '1.0.0', p = pub): PushEntry => ({
  op: 'delete', id: `${name}.${ZONE}`, version, fingerprint: p.fingerprint,
  tombstone: signManifest({ name, namespace: NAMESPACE, deleted: true, version }, p),
});
const codes = (r: { rejected: { code: string }[] }) => r.rejected.map((x) => x.code);

test('a reference comes back with exactly its fields (manifest_url and vector clock included)', async () => {
  const index = await SubtreeIndex.open({ zone: 'steward-registry.org' });
  const a = { ...ref('alpha-bot', { tags: ['stable'] }), manifest_url: 'https://x.example/alpha', vector_clock: { r1: 3, r2: 1 } };
  const b = ref('beta-bot', { description: '' , zone: `deep.${ZONE}` });
  await index.apply(FROM, [put(a), put(b)]);
  assert.equal(plain(index.get(a.id)), plain(a));
  assert.equal(plain(index.get(b.id)), plain(b));
  assert.is(index.size, 2);
});

test('same entry again → duplicate; other key or no higher version → rejected alone; higher version replaces', async () => {
  const index = await SubtreeIndex.open({ zone: 'steward-registry.org' });
  const v1 = ref('gamma-bot');
  assert.equal((await index.apply(FROM, [put(v1)])).accepted, 1);
  const again = await index.apply(FROM, [put(v1)]);
  assert.equal([again.accepted, again.duplicates, again.rejected.length], [0, 1, 0]);
  assert.is(index.serial, 1, 'a duplicate writes nothing');
  const v2 = ref('gamma-bot', { version: '1.1.0' });
  const stolen = ref('gamma-bot', { version: '9.0.0', pub: other });
  const lower = ref('gamma-bot', { version: '0.9.0' });
  const mixed = await index.apply(FROM, [put(stolen), put(v2), put(lower), put(ref('delta-bot'))]);
  assert.is(mixed.accepted, 2);
  assert.equal(codes(mixed), ['KEY_MISMATCH', 'VERSION_NOT_RISING']);
  assert.is(index.get(v1.id)!.version, '1.1.0');
});

test('a delete with its tombstone removes; again is a duplicate; a stale put after it is refused', async () => {
  const index = await SubtreeIndex.open({ zone: 'steward-registry.org' });
  const r = ref('eps-bot', { capabilities: ['eps_cap'] });
  await index.apply(FROM, [put(r)]);
  assert.equal(codes(await index.apply(FROM, [del('eps-bot', '1.0.0', other)])), ['KEY_MISMATCH'], 'another key cannot delete');
  assert.is((await index.apply(FROM, [del('eps-bot')])).accepted, 1);
  assert.is(index.get(r.id), undefined);
  assert.equal(discoverLocal(index, { q: 'eps_cap' }), []);
  assert.ok(index.deleted(r.id)?.tombstone, 'the tombstone is kept');
  assert.equal((await index.apply(FROM, [del('eps-bot')])).duplicates, 1);
  assert.equal(codes(await index.apply(FROM, [put(r)])).length, 0, 'the same put again changes nothing');
  assert.is(index.get(r.id), undefined);
  assert.equal(codes(await index.apply(FROM, [put(ref('eps-bot', { version: '1.0.0', description: 'other' }))])), ['VERSION_NOT_RISING']);
  assert.is((await index.apply(FROM, [put(ref('eps-bot', { version: '2.0.0' }))])).accepted, 1, 'a later version by the same key comes back');
  assert.equal((await index.apply(FROM, [del('never-held')])).duplicates, 1, 'nothing to remove');
});

test('onApplied hears each applied batch once durable, in seq order, with the sender', async () => {
  const tmp = await tempDir();
  const index = await SubtreeIndex.open({ zone: 'steward-registry.org', dir: tmp.dir, fsync: false });
  const heard: Applied[][] = [];
  index.onApplied((b) => heard.push([...b]));
  const a = ref('zeta-bot');
  await index.apply(FROM, [put(a), put(a), put(ref('eta-bot'))]);
  await index.apply(FROM, [put(a)]);
  assert.is(heard.length, 1, 'a batch of only duplicates announces nothing');
  assert.equal(heard[0]!.map((x) => [x.seq, x.from, x.entry.op]), [[1, FROM, 'put'], [2, FROM, 'put']]);
  await index.close();
  await tmp.cleanup();
});

test('reopened from its log and from a snapshot: same references, tombstones and discover answers', async () => {
  const tmp = await tempDir();
  const open = () => SubtreeIndex.open({ zone: 'steward-registry.org', dir: tmp.dir, fsync: false });
  let index = await open();
  for (let i = 0; i < 60; i++) await index.apply(FROM, [put(ref(`agent-${i}`, { capabilities: [`cap_${i % 7}`], trust: (i % 10) / 10 }))]);
  await index.apply(FROM, [del('agent-3'), put(ref('agent-4', { version: '1.1.0', capabilities: ['cap_new'] }))]);
  const snap = () => ({
    ids: [...index.ids()].sort(), refs: [...index.ids()].sort().map((id) => plain(index.get(id))), gone: plain(index.deleted(`agent-3.${ZONE}`)),
    cap: discoverLocal(index, { q: 'cap_3', sort: 'name', limit: 100 }), moved: discoverLocal(index, { q: 'cap_new' }), serial: index.serial,
  });
  const before = snap();
  await index.close();
  index = await open();
  assert.equal(snap(), before, 'from the log');
  await index.compact();
  await index.close();
  index = await open();
  assert.equal(snap(), before, 'from the snapshot');
  assert.is(index.stats.snapshotSeq, before.serial);
  await index.close();
  await tmp.cleanup();
});

test.run();

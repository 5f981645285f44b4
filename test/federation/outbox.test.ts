// The push outbox against a stand-in parent: batches are bounded and coalesced where safe;
// the queue is read back after a restart (minus what was delivered); a full outbox refuses
// new entries (counted, one audit entry per episode) and delivers what it holds; entries
// the parent rejects, one by one or as a whole bad push, are dropped with an audit entry
// and never block the rest; a parent that is down is retried until it answers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditLog } from '../../src/audit/index.js';
import { StewardError } from '../../src/errors/index.js';
import type { PushEntry } from '../../src/federation/push/entries.js';
import { backoffMs, Outbox } from '../../src/federation/push/outbox.js';
import { OutboxQueue } from '../../src/federation/push/outbox-queue.js';
import type { PushResult } from '../../src/federation/push/send.js';
import { FederationHealth } from '../../src/health/index.js';

const put = (name: string, version = '1.0.0', fingerprint = 'k1'): PushEntry => ({
  op: 'put',
  ref: { id: `${name}.acme.com.example`, namespace: 'acme.com', zone: 'acme.com.example', name, version, capabilities: ['x'], tags: [], trust: 0.5, digest: `d-${version}`, fingerprint, published_at: new Date(0).toISOString(), vector_clock: {}, jws: 'h.p.s' },
});
const del = (name: string, version = '1.0.0'): PushEntry => ({ op: 'delete', id: `${name}.acme.com.example`, version, tombstone: 'h.t.s', fingerprint: 'k1' });
const label = (e: PushEntry) => (e.op === 'put' ? `put ${e.ref.name}@${e.ref.version}` : `delete ${e.id.split('.')[0]}`);

async function until(ok: () => boolean) {
  const end = Date.now() + 20_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error('not reached within 20 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A parent that records what it got; `answer` decides each push. */
function parent(answer: (entries: PushEntry[]) => PushResult | Error = (e) => ({ accepted: e.length, duplicates: 0, rejected: [] })) {
  const pushes: PushEntry[][] = [];
  const p = {
    pushes,
    okPushes: 0,
    send: async (entries: PushEntry[]) => {
      pushes.push(entries);
      const a = answer(entries);
      if (a instanceof Error) throw a;
      p.okPushes++;
      return a;
    },
  };
  return p;
}

const t = suite('push outbox');
let dir: string;
t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-outbox-'));
});
t.after(async () => rm(dir, { recursive: true, force: true }));

const open = async (sub: string, o: { maxEntries?: number; maxBytes?: number } = {}) => OutboxQueue.open({ dir: join(dir, sub), fsync: false, ...o });

t('coalescing: a later put by the same key or a delete replaces a queued change; a put after a delete is kept', async () => {
  const q = await open('coalesce');
  assert.is(q.add(put('a', '1.0.0')), 'queued');
  assert.is(q.add(put('a', '1.1.0')), 'coalesced');
  assert.is(q.add(put('b')), 'queued');
  assert.is(q.add(del('b')), 'coalesced');
  assert.is(q.add(put('b', '2.0.0', 'k2')), 'queued', 'a put by another key after a delete keeps the delete');
  assert.is(q.add(put('c', '1.0.0', 'k1')), 'queued');
  assert.is(q.add(put('c', '2.0.0', 'k2')), 'queued', 'another key: both go, the parent decides');
  assert.equal(q.take(100, 1 << 20).map((x) => label(x.entry)), ['put a@1.1.0', 'delete b', 'put b@2.0.0', 'put c@1.0.0', 'put c@2.0.0']);
  await q.close();
});

t('batches: at most N entries and B bytes per push, oldest first; what is sending is never coalesced away', async () => {
  const q = await open('batch');
  for (let i = 0; i < 10; i++) q.add(put(`n${i}`));
  const first = q.take(4, 1 << 20);
  assert.is(first.length, 4);
  assert.is(q.add(put('n0', '1.1.0')), 'queued', 'n0 is being sent: the new version waits behind it');
  q.done(first);
  const one = q.take(100, first[0]!.bytes); // bytes for one entry: at least one is always taken
  assert.is(one.length, 1);
  q.release(one);
  assert.equal(q.take(100, 1 << 20).map((x) => label(x.entry)).slice(-2), ['put n9@1.0.0', 'put n0@1.1.0']);
  await q.close();
});

t('the queue is read back after a restart, without what was delivered and with coalescing kept', async () => {
  let q = await open('restart');
  for (let i = 0; i < 5; i++) q.add(put(`r${i}`));
  q.add(put('r1', '1.1.0'));
  q.done(q.take(2, 1 << 20)); // r0 and r2 delivered (r1@1.0.0 was superseded)
  await q.durable();
  await q.close();
  q = await open('restart');
  assert.equal(q.take(100, 1 << 20).map((x) => label(x.entry)), ['put r3@1.0.0', 'put r4@1.0.0', 'put r1@1.1.0']);
  await q.close();
});

t('compaction: thousands of delivered entries leave a small log that still reads back what is queued', async () => {
  let q = await open('compact');
  for (let i = 0; i < 3_000; i++) {
    q.add(put(`c${i}`));
    if (i % 10 === 9) q.done(q.take(10, 1 << 20));
  }
  q.add(put('last'));
  await new Promise((r) => setTimeout(r, 200));
  await q.durable();
  await q.close();
  q = await open('compact');
  assert.equal(q.take(100, 1 << 20).map((x) => label(x.entry)), ['put last@1.0.0']);
  await q.close();
});

t('full: past its entry or byte bound the outbox refuses new entries (counted, one audit entry), and delivers what it holds', async () => {
  const audit = await AuditLog.open();
  const health = new FederationHealth();
  let up = false;
  const p = parent((e) => (up ? { accepted: e.length, duplicates: 0, rejected: [] } : new StewardError('UPSTREAM_TIMEOUT', 'parent did not answer in time')));
  const ob = new Outbox({ queue: await open('full', { maxEntries: 3 }), send: p.send, parentZone: 'com.example', audit, health, retryBaseMs: 5, retryCapMs: 20 });
  for (let i = 0; i < 6; i++) ob.enqueue(put(`f${i}`));
  assert.is(health.outboxDepth, 3);
  assert.is(ob.stats.dropped, 3);
  const full = audit.query({ kinds: ['push'] }).entries;
  assert.is(full.length, 1, 'one audit entry for the episode');
  assert.match(full[0]!.detail, /outbox full/);
  assert.is((full[0]!.data as { first_dropped: string }).first_dropped, 'f3.acme.com.example');
  await until(() => health.list('parent')[0]?.up === false);
  up = true;
  await until(() => health.outboxDepth === 0);
  const delivered = p.pushes.slice(p.pushes.length - p.okPushes);
  assert.equal(delivered.flat().map(label), ['put f0@1.0.0', 'put f1@1.0.0', 'put f2@1.0.0'], 'delivered once each, in order');
  assert.ok(delivered[0]!.length < 3, 'after timeouts the pushes are smaller');
  assert.ok(p.pushes.length > p.okPushes, 'retried after failures');
  assert.is(health.list('parent')[0]!.up, true);
  const bytesBound = await open('full-bytes', { maxBytes: 2 * Buffer.byteLength(JSON.stringify(put('b0'))) });
  assert.equal([bytesBound.add(put('b0')), bytesBound.add(put('b1')), bytesBound.add(put('b2'))], ['queued', 'queued', 'full']);
  await bytesBound.close();
  await ob.close();
});

t('rejections: entries rejected one by one, or a push refused as bad (400) down to the one bad entry, are dropped with an audit entry; the rest go', async () => {
  const audit = await AuditLog.open();
  const health = new FederationHealth();
  const p = parent((e) => {
    if (e.some((x) => x.op === 'put' && x.ref.name === 'poison')) return new StewardError('SERVFAIL', 'refused (HTTP 400 BAD_REQUEST)', { peer_status: 400, peer_code: 'BAD_REQUEST' });
    const bad = e.filter((x) => x.op === 'put' && x.ref.name === 'forged');
    return { accepted: e.length - bad.length, duplicates: 0, rejected: bad.map((x) => ({ id: (x as { ref: { id: string } }).ref.id, code: 'BAD_SIGNATURE', detail: 'no' })) };
  });
  const ob = new Outbox({ queue: await open('reject'), send: p.send, parentZone: 'com.example', audit, health, batchEntries: 8 });
  for (let i = 0; i < 7; i++) ob.enqueue(put(i === 2 ? 'forged' : i === 5 ? 'poison' : `ok${i}`));
  await until(() => health.outboxDepth === 0);
  const delivered = new Set(p.pushes.flat().filter((e) => e.op === 'put' && e.ref.name.startsWith('ok')).map(label));
  assert.is(delivered.size, 5, 'every good entry delivered');
  const entries = audit.query({ kinds: ['push'] }).entries;
  assert.ok(entries.some((e) => /BAD_SIGNATURE: forged/.test(e.detail)), JSON.stringify(entries));
  assert.ok(entries.some((e) => /BAD_REQUEST: poison/.test(e.detail)), JSON.stringify(entries));
  assert.is(ob.stats.rejected, 2);
  await ob.close();
});

t('backoff: exponential, capped, jittered between half and all of the step', () => {
  assert.is(backoffMs(0, 100, 1000, () => 1), 100);
  assert.is(backoffMs(3, 100, 1000, () => 1), 800);
  assert.is(backoffMs(10, 100, 1000, () => 1), 1000);
  assert.is(backoffMs(10, 100, 1000, () => 0), 500);
});

t.run();

// The audit log as an operator relies on it: entries survive a restart in order, pages
// resume after a cursor, kinds filter, and memory stays within its bounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditLog } from '../../src/audit/index.js';
import { FederationHealth } from '../../src/health/index.js';

const t = suite('audit log');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'steward-audit-'));
  dirs.push(d);
  return d;
};
t.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

t('entries survive a restart, in order, and pages resume after their cursor', async () => {
  const dir = tmp();
  const a = await AuditLog.open({ dir, fsync: false });
  for (let i = 0; i < 250; i++) a.append(i % 2 ? 'push' : 'pull', { peer: `z${i}.com`, detail: `event ${i}`, data: { i } });
  await a.durable();
  await a.close();

  const b = await AuditLog.open({ dir, fsync: false });
  assert.is(b.size, 250);
  const first = b.query({ limit: 100 });
  assert.is(first.entries.length, 100);
  assert.is(first.entries[0]!.detail, 'event 0');
  const second = b.query({ sinceSeq: first.next!, limit: 100 });
  assert.is(second.entries[0]!.detail, 'event 100');
  const pushes = b.query({ kinds: ['push'], limit: 1000 });
  assert.is(pushes.entries.length, 125);
  assert.ok(pushes.entries.every((e) => e.kind === 'push'));
  assert.is(pushes.next, null);
  const next = b.append('conflict', { detail: 'after restart' });
  assert.is(next.seq, 251, 'seqs carry on after a restart');
  await b.close();
});

t('bounded by entries and bytes; an oversized data field is not kept whole', async () => {
  const a = await AuditLog.open({ maxEntries: 50, maxBytes: 1_000_000 });
  for (let i = 0; i < 200; i++) a.append('refused', { detail: `r${i}` });
  assert.is(a.size, 50);
  assert.is(a.query({ limit: 1 }).entries[0]!.detail, 'r150', 'the newest are kept');
  const big = a.append('conflict', { detail: 'big', data: { blob: 'x'.repeat(100_000) } });
  assert.equal(big.data, { truncated: true, bytes: 100_011 });
  const small = await AuditLog.open({ maxEntries: 1_000, maxBytes: 5_000 });
  for (let i = 0; i < 500; i++) small.append('push', { detail: `p${i}` });
  assert.ok(small.size < 100, `kept ${small.size}`);
});

t('since a time: only entries at or after it', async () => {
  const a = await AuditLog.open();
  a.append('push', { detail: 'old' }, Date.parse('2026-01-01T00:00:00Z'));
  a.append('push', { detail: 'new' }, Date.parse('2026-06-01T00:00:00Z'));
  assert.equal(a.query({ sinceMs: Date.parse('2026-03-01T00:00:00Z') }).entries.map((e) => e.detail), ['new']);
});

t('federation health: peers up and down with since, lag, partitions, conflicts per hour', () => {
  let now = 1_000_000;
  const h = new FederationHealth(() => now);
  h.known('a.com', 'child');
  h.ok('b.com', 'child', { syncedMs: now });
  now += 5_000;
  h.failed('a.com', 'child', new Error('timed out'));
  assert.equal(h.list('child').map((p) => [p.key, p.up]), [['a.com', false], ['b.com', true]]);
  assert.is(h.list().find((p) => p.key === 'a.com')!.since, now);
  assert.is(h.lagSeconds('b.com'), 5);
  assert.is(h.lagSeconds('a.com'), undefined);
  h.partition('eu', true, 'three rounds unreachable');
  assert.is(h.partitioned.length, 1);
  h.partition('eu', false);
  assert.is(h.partitioned.length, 0);
  for (let i = 0; i < 12; i++) h.conflict();
  assert.is(h.conflictsLastHour(), 12);
  now += 3_600_001;
  assert.is(h.conflictsLastHour(), 0);
  assert.is(h.conflicts, 12);
});

t.run();

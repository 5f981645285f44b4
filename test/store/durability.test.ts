// The durable store across restarts: what was acknowledged comes back, a torn tail from a
// crash is dropped, damage in the middle is reported, snapshots keep data and shrink the log.
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverLocal } from '../../src/discover/local.js';
import { StewardError } from '../../src/errors/index.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { makeRecord, NAMESPACE, newPublisher, plain, signManifest, tempDir, ZONE } from './fixtures.js';

async function rejects(p: Promise<unknown>, check: (err: Error) => boolean, what: string) {
  try {
    await p;
  } catch (err) {
    assert.ok(check(err as Error), `${what}: got ${(err as Error).message}`);
    return;
  }
  assert.unreachable(`${what}: did not fail`);
}

const logFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.log')).sort();
const lastLog = async (dir: string) => join(dir, (await logFiles(dir)).at(-1)!);

async function filled(dir: string, n = 5) {
  const store = await ZoneStore.open({ zone: ZONE, dir });
  for (let i = 0; i < n; i++) await store.put(makeRecord(`agent-${i}`, { capabilities: [`cap_${i % 2}`] }));
  return store;
}

test('reopening restores records, indexes, tombstones and the serial', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = await filled(dir);
    await a.put(makeRecord('agent-1', { version: '2.0.0', capabilities: ['cap_9'] }));
    await a.remove('agent-2');
    const before = { serial: a.serial, changes: plain(a.changesSince(0)), records: [...a.labels()].sort().map((l) => plain(a.get(l))) };
    await a.close();

    const b = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(b.serial, before.serial);
    assert.equal(plain(b.changesSince(0)), before.changes);
    assert.equal([...b.labels()].sort().map((l) => plain(b.get(l))), before.records);
    assert.equal(discoverLocal(b, { q: 'cap_9' }).map((r) => r.name), ['agent-1']);
    assert.equal(discoverLocal(b, { q: 'cap_0', sort: 'name' }).map((r) => r.name), ['agent-0', 'agent-4']);
    const next = await b.put(makeRecord('agent-new'));
    assert.is(next.seq, before.serial + 1, 'seqs carry on after a restart, never reused');
    await b.close();
  } finally {
    await cleanup();
  }
});

test('a delete keeps its signed unpublish across a restart, from the log and from a snapshot', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = await filled(dir, 3);
    const unpublish = signManifest({ name: 'agent-1', namespace: NAMESPACE, deleted: true, version: '1.0.0' });
    const entry = await a.tombstone({ ...a.get('agent-1')!, tombstone: unpublish });
    assert.is(entry.record.tombstone, unpublish);
    await a.remove('agent-2'); // a delete without one (as stored before they were kept)
    await a.close();

    const fromLog = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(fromLog.deleted('agent-1')?.tombstone, unpublish, 'replayed from the log');
    assert.is(fromLog.deleted('agent-2')?.tombstone, undefined);
    assert.is(fromLog.changesSince(0).entries.find((e) => e.record.name === 'agent-1')?.record.tombstone, unpublish);
    await fromLog.compact();
    await fromLog.close();

    const fromSnap = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(fromSnap.stats.logEntries, 0, 'read from the snapshot alone');
    assert.is(fromSnap.deleted('agent-1')?.tombstone, unpublish, 'read back from the snapshot');
    assert.is(fromSnap.deleted('agent-2')?.tombstone, undefined);
    await fromSnap.close();
  } finally {
    await cleanup();
  }
});

test('a torn last line (half a line, no newline) is dropped and truncated away', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await (await filled(dir, 3)).close();
    const file = await lastLog(dir);
    const good = (await stat(file)).size;
    const lines = (await readFile(file, 'utf8')).split('\n');
    await appendFile(file, lines[0]!.slice(0, 40)); // a write cut short
    const store = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(store.size, 3);
    assert.is(store.serial, 3);
    assert.is((await stat(file)).size, good, 'the torn bytes are gone from the file');
    await store.put(makeRecord('after-crash'));
    await store.close();
    const again = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(again.size, 4);
    assert.ok(again.get('after-crash'));
    await again.close();
  } finally {
    await cleanup();
  }
});

test('garbage at the end with no newline (zero-filled pages) is dropped', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await (await filled(dir, 3)).close();
    const file = await lastLog(dir);
    await appendFile(file, Buffer.alloc(4096));
    const store = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(store.size, 3);
    assert.is(store.serial, 3);
    await store.close();
  } finally {
    await cleanup();
  }
});

// Issue 7 finding 6: a complete line is never a torn write (a crash leaves whole lines, then
// part of one), so a bad checksum on one is damage, even at the end, and is refused.
test('a complete last line with a bad checksum is refused, not taken for a torn write', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await (await filled(dir, 3)).close();
    const file = await lastLog(dir);
    await appendFile(file, 'deadbeef\t{"seq":4,"op":"put"}\n');
    await rejects(ZoneStore.open({ zone: ZONE, dir }), (e) => (e as StewardError).code === 'STORE_CORRUPT' && /line 4/.test(e.message), 'bad last line');
    const store = await ZoneStore.open({ zone: ZONE, dir, acceptDataLoss: true });
    assert.is(store.size, 3);
    assert.ok(store.serial >= 3);
    await store.close();
  } finally {
    await cleanup();
  }
});

test('a damaged line in the middle is reported as STORE_CORRUPT naming file and line', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await (await filled(dir, 5)).close();
    const file = await lastLog(dir);
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('agent-1', 'agent-X'); // bytes changed, checksum now wrong
    await writeFile(file, lines.join('\n'));
    try {
      await ZoneStore.open({ zone: ZONE, dir });
      assert.unreachable('opened a corrupt store');
    } catch (err) {
      assert.instance(err, StewardError);
      assert.is((err as StewardError).code, 'STORE_CORRUPT');
      assert.match((err as Error).message, file);
      assert.match((err as Error).message, 'line 2');
    }
  } finally {
    await cleanup();
  }
});

test('snapshot + compaction keeps every record and shrinks the log', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await ZoneStore.open({ zone: ZONE, dir, compactAfter: 50, compactRatio: 2 });
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 10; i++) await store.put(makeRecord(`hot-${i}`, { version: `1.0.${round}`, trust: round / 40 }));
    }
    await store.remove('hot-3');
    const expected = plain(store.changesSince(0));
    // Wait for any snapshot triggered by the last puts to finish.
    await store.compact();
    assert.ok(store.stats.snapshotSeq > 0, 'a snapshot was taken');
    const files = await readdir(dir);
    assert.is(files.filter((f) => f.endsWith('.snap')).length, 1);
    assert.is((await logFiles(dir)).length, 1);
    let logBytes = 0;
    for (const f of await logFiles(dir)) logBytes += (await stat(join(dir, f))).size;
    assert.ok(logBytes < 2_000, `log after compaction is ${logBytes} bytes`);
    await store.close();

    const again = await ZoneStore.open({ zone: ZONE, dir });
    assert.equal(plain(again.changesSince(0)), expected);
    assert.is(again.get('hot-7')!.version, '1.0.39');
    assert.is(again.get('hot-3'), undefined);
    assert.is(again.serial, 401);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('a snapshot of many publishers, odd records and tombstones reopens to equal records', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const pubs = [newPublisher(), newPublisher(), newPublisher()];
    const store = await ZoneStore.open({ zone: ZONE, dir });
    const records = [
      ...Array.from({ length: 30 }, (_, i) => makeRecord(`multi-${i}`, { pub: pubs[i % 3], capabilities: [`cap_${i % 4}`], visibility: i % 5 ? 'public' : 'internal', trust: i / 30 })),
      { ...makeRecord('whole-json'), digest: 'not-a-sha' , jws: 'x.y' },
    ];
    for (const r of records) await store.put(r);
    await store.remove('multi-7');
    await store.compact();
    await store.put(makeRecord('after-snap', { pub: pubs[1] }));
    const expected = { changes: plain(store.changesSince(0)), cap: discoverLocal(store, { q: 'cap_1', sort: 'name', limit: 100 }) };
    await store.close();
    const again = await ZoneStore.open({ zone: ZONE, dir });
    assert.equal(plain(again.changesSince(0)), expected.changes);
    assert.equal(discoverLocal(again, { q: 'cap_1', sort: 'name', limit: 100 }), expected.cap);
    assert.is(again.get('multi-7'), undefined);
    assert.is(again.get('multi-5')!.visibility, 'internal');
    await again.close();
  } finally {
    await cleanup();
  }
});

test('compaction starts by itself when the log holds many more entries than names', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await ZoneStore.open({ zone: ZONE, dir, compactAfter: 100, compactRatio: 2 });
    for (let round = 0; round < 60; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => store.put(makeRecord(`busy-${i}`, { version: `1.0.${round}` }))));
    }
    for (let i = 0; i < 50 && store.stats.snapshotSeq === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(store.stats.snapshotSeq >= 100, `snapshot at ${store.stats.snapshotSeq}`);
    assert.ok(store.stats.logEntries < 300, `${store.stats.logEntries} entries left in the log`);
    await store.close();
    const again = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(again.size, 5);
    assert.is(again.get('busy-4')!.version, '1.0.59');
    await again.close();
  } finally {
    await cleanup();
  }
});

test('concurrent appends share a flush (group commit) and each resolves only when durable', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await ZoneStore.open({ zone: ZONE, dir });
    const records = Array.from({ length: 300 }, (_, i) => makeRecord(`grp-${i}`));
    await Promise.all(records.map((r) => store.put(r)));
    assert.ok(store.stats.flushes < 100, `${store.stats.flushes} flushes for 300 appends`);
    await store.close();
    const again = await ZoneStore.open({ zone: ZONE, dir });
    assert.is(again.size, 300);
    await again.close();
  } finally {
    await cleanup();
  }
});

test.run();

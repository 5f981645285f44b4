// Snapshot files: binary items in checksummed blocks (frames.ts, snapshot-format.ts). What
// was in the zone comes back, damage anywhere is refused as corruption rather than read as
// a smaller zone, and snapshots written before the binary format (JSON lines) still load.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverLocal } from '../../src/discover/local.js';
import type { StewardError } from '../../src/errors/index.js';
import { AppendLog } from '../../src/store/append-log.js';
import { readFrames } from '../../src/store/frames.js';
import { encodeLine } from '../../src/store/lines.js';
import { SnapshotDecoder } from '../../src/store/snapshot-format.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { makeRecord, newPublisher, plain, tempDir, ZONE } from './fixtures.js';

async function corruptOpen(dir: string, what: string, message?: RegExp) {
  try {
    const s = await ZoneStore.open({ zone: ZONE, dir });
    await s.close();
  } catch (err) {
    const e = err as StewardError;
    assert.is(e.code, 'STORE_CORRUPT', `${what}: ${e.message}`);
    if (message) assert.match(e.message, message, what);
    return e;
  }
  return assert.unreachable(`${what}: opened`);
}

const snapFile = async (dir: string) => join(dir, (await readdir(dir)).find((f) => f.endsWith('.snap'))!);

/** A zone with several publishers, shared and one-off tokens, internal records and a tombstone, snapshotted. */
async function snapshotted(dir: string, n = 400) {
  const pubs = [newPublisher(), newPublisher(), newPublisher()];
  const store = await ZoneStore.open({ zone: ZONE, dir, fsync: false });
  for (let i = 0; i < n; i++) {
    await store.put(makeRecord(`agent-${i}`, {
      pub: pubs[i % 3],
      capabilities: [`cap_${i % 7}`, `only_${i}`],
      tags: [`tag${i % 3}`],
      visibility: i % 9 ? 'public' : 'internal',
      trust: (i % 10) / 10,
    }));
  }
  await store.put({ ...makeRecord('whole-json'), digest: 'not-a-sha', jws: 'x.y' });
  await store.remove('agent-5');
  await store.compact();
  const expected = {
    changes: plain(store.changesSince(0, 10_000)),
    cap: discoverLocal(store, { q: 'cap_3', sort: 'name', limit: 100 }),
    once: discoverLocal(store, { q: 'only_77', sort: 'name' }),
    tag: discoverLocal(store, { q: 'tag2 agent', sort: 'trust', limit: 500 }),
  };
  await store.close();
  return expected;
}

async function reopened(dir: string) {
  const again = await ZoneStore.open({ zone: ZONE, dir });
  const got = {
    changes: plain(again.changesSince(0, 10_000)),
    cap: discoverLocal(again, { q: 'cap_3', sort: 'name', limit: 100 }),
    once: discoverLocal(again, { q: 'only_77', sort: 'name' }),
    tag: discoverLocal(again, { q: 'tag2 agent', sort: 'trust', limit: 500 }),
  };
  return { again, got };
}

test('a binary snapshot reopens to the same records, tombstones and indexes', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const expected = await snapshotted(dir);
    assert.equal((await readFile(await snapFile(dir))).subarray(0, 8).toString(), 'STEWSNAP');
    const { again, got } = await reopened(dir);
    assert.equal(got, expected);
    assert.is(got.once.length, 1);
    assert.is(again.get('agent-5'), undefined);
    assert.is(again.get('agent-9')!.visibility, 'internal');
    assert.is(again.stats.snapshotRecords, 401, '400 agents (one a tombstone) and the whole-JSON record');
    await again.close();
  } finally {
    await cleanup();
  }
});

test('common strings are written once: each JWS header, and each token as one posting list', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await snapshotted(dir, 60);
    const text = (await readFile(await snapFile(dir))).toString('latin1');
    const count = (s: string) => text.split(s).length - 1;
    // POSTINGS item: kind 3, index (0 capabilities, 1 keywords), u16 length, token
    assert.is(count('\x03\x00\x05\x00cap_3'), 1, 'a capability many agents have: one list');
    assert.is(count('\x05\x00cap_3'), 1, 'and nowhere else as a token');
    assert.is(count('\x03\x00\x07\x00only_17'), 1);
    const decoder = new SnapshotDecoder();
    const headers = new Set<string | undefined>();
    const lists = new Map<string, number[]>();
    await readFrames(await snapFile(dir), (item) => {
      const r = decoder.decode(item);
      if ('seq' in r) headers.add(r.header);
      if ('ordinals' in r) lists.set(`${r.index}:${r.token}`, [...r.ordinals]);
    });
    assert.is(headers.size, 4, '3 publishers and one record without a header');
    for (const h of headers) if (h) assert.is(count(h), 1, 'each JWS header is in the file once');
    const cap3 = lists.get('capabilities:cap_3')!;
    assert.is(cap3.length, 9, 'agents 3, 10, ... 59');
    assert.equal(cap3, [...cap3].sort((a, b) => a - b));
  } finally {
    await cleanup();
  }
});

test('a snapshot taken while publishes and unpublishes go on reopens to the state after them', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await ZoneStore.open({ zone: ZONE, dir, fsync: false });
    const pub = newPublisher();
    const put = (i: number, round: number) =>
      store.put(makeRecord(`busy-${i}`, { pub, version: `1.0.${round}`, capabilities: [`cap_${(i + round) % 5}`, `round_${round}`], tags: [`t${round % 3}`] }));
    await Promise.all(Array.from({ length: 4000 }, (_, i) => put(i, 0)));
    const snapshot = store.compact();
    // While the snapshot is written (it yields every 1000 names): move tokens around,
    // delete, bring back, add names it will not see.
    let round = 1;
    const changes: Promise<unknown>[] = [];
    for (let done = false; !done; round++) {
      snapshot.then(() => (done = true));
      for (let k = 0; k < 50; k++) {
        const i = (round * 131 + k * 17) % 4000;
        changes.push(k % 10 === 3 ? store.remove(`busy-${i}`) : put(i, round));
      }
      changes.push(put(4000 + round, round));
      await new Promise((r) => setImmediate(r));
    }
    await snapshot;
    await Promise.all(changes);
    assert.ok(round > 3, `only ${round} rounds of changes ran during the snapshot`);
    const queries = ['cap_0', 'cap_3', 'round_0', 'round_2', `round_${round - 2}`, 't1', 'busy cap_4'];
    const expected = { changes: plain(store.changesSince(0, 10_000)), found: queries.map((q) => discoverLocal(store, { q, sort: 'name', limit: 5000 })) };
    assert.ok(expected.found.every((f) => f.length > 0));
    await store.close();
    const again = await ZoneStore.open({ zone: ZONE, dir });
    assert.ok(again.stats.snapshotSeq > 0 && again.stats.logEntries > 0, 'both the snapshot and the log were read');
    assert.equal(plain(again.changesSince(0, 10_000)), expected.changes);
    assert.equal(queries.map((q) => discoverLocal(again, { q, sort: 'name', limit: 5000 })), expected.found);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('a damaged snapshot is corruption, never a smaller zone: cut short, a flipped byte, no END', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await snapshotted(dir);
    const path = await snapFile(dir);
    const good = await readFile(path);
    const cases: [string, Buffer, RegExp][] = [
      ['cut inside a block', good.subarray(0, Math.floor(good.length / 2)), /ends inside a block/],
      ['END block lost', good.subarray(0, good.length - 17), /ends before its END block/],
      ['a flipped byte', Buffer.from(good).fill(0x55, 2000, 2001), /checksum mismatch/],
      ['another version', Buffer.concat([Buffer.from('STEWSNAP'), Buffer.from([9, 0, 0, 0])]), /not a version 2 snapshot/],
    ];
    for (const [what, bytes, message] of cases) {
      await writeFile(path, bytes);
      const e = await corruptOpen(dir, what, message);
      assert.ok(e?.message.includes(path), `${what}: names the file`);
    }
    await writeFile(path, good); // and the good file still opens: nothing was thrown away
    const { again, got } = await reopened(dir);
    assert.is(got.changes.entries.length, 401);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('a JSON-lines snapshot from before the binary format still loads (tokens re-cut when their rules differ)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const expected = await snapshotted(dir);
    const path = await snapFile(dir);
    // Rewrite the binary snapshot in the old format: one checksummed JSON line per item.
    const decoder = new SnapshotDecoder();
    const seen = new Set<string>();
    const lines: string[] = [encodeLine(JSON.stringify({ namespace: 'acme-corp.com', tokens: 0 }))];
    const numbers = new Map<string, number>();
    await readFrames(path, (item) => {
      const r = decoder.decode(item);
      if (!('seq' in r)) return;
      let header: string | number = -1;
      if (r.header !== undefined) {
        header = seen.has(r.header) ? numbers.get(r.header)! : r.header;
        if (!seen.has(r.header)) numbers.set(r.header, seen.add(r.header).size - 1);
      }
      const b64 = (r.bytes as Buffer).toString('base64');
      // tokens: 0 above says these were cut by other rules, so the store must cut them again
      const line = r.op === 'put' ? [r.seq, 0, r.name, header, b64, r.state, r.trust, [], []] : [r.seq, 1, r.name, header, b64];
      lines.push(encodeLine(JSON.stringify(line)));
    });
    lines.push(encodeLine(JSON.stringify({ $end: lines.length })));
    await writeFile(path, lines.join(''));
    const { again, got } = await reopened(dir);
    assert.equal(got, expected);
    await again.close();
    await writeFile(path, lines.slice(0, -1).join('')); // its trailer lost: still corruption
    await corruptOpen(dir, 'legacy snapshot without trailer', /incomplete or damaged/);
  } finally {
    await cleanup();
  }
});

test('the append log on its own: binary snapshot items and later entries replay in order', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    type E = { seq: number; v: string };
    const log = await AppendLog.open<E>({ dir, onSnapshotItem() {}, onEntry() {} });
    // durable(): resolves only once every append made before it is on disk
    const settled: number[] = [];
    for (let seq = 1; seq <= 5; seq++) void log.append({ seq, v: `e${seq}` }).then(() => settled.push(seq));
    await log.durable();
    assert.equal(settled, [1, 2, 3, 4, 5]);
    const big = Buffer.alloc(3 << 20, 7); // an item larger than a block
    await log.snapshot([Buffer.from('s1'), big, Buffer.alloc(0), Buffer.from('s2')]);
    await log.append({ seq: 6, v: 'e6' });
    await log.close();
    const items: Buffer[] = [];
    const entries: E[] = [];
    const back = await AppendLog.open<E>({ dir, onSnapshotItem: (s) => items.push(Buffer.from(s)), onEntry: (e) => entries.push(e) });
    assert.equal(items.map((b) => b.length), [2, 3 << 20, 0, 2]);
    assert.ok(items[1]!.equals(big));
    assert.is(items[3]!.toString(), 's2');
    assert.equal(entries, [{ seq: 6, v: 'e6' }]);
    assert.is(back.lastSeq, 6);
    assert.is(back.snapshotSeq, 5);
    assert.is(back.snapshotItems, 4);
    await back.close();
  } finally {
    await cleanup();
  }
});

test.run();

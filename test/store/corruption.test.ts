// Issue 7 finding 6: damage to a stored zone is never read as a smaller zone. Each row of
// the table damages a closed store (a snapshot, then a log after it) one way; opening it
// must give back exactly what was acknowledged, or refuse with STORE_CORRUPT naming the
// file, line or seqs lost. With acceptDataLoss it opens with what is left, says what it
// dropped, and a later open is clean (seqs carry on above everything that existed).
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { StewardError } from '../../src/errors/index.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { makeRecord, plain, tempDir, ZONE } from './fixtures.js';

const SNAPSHOT_SEQ = 10;
const LAST_SEQ = 17;

/** 10 agents in a snapshot; then 5 new, an update and a delete in the log (seqs 11..17). */
async function build(dir: string) {
  const s = await ZoneStore.open({ zone: ZONE, dir, fsync: false });
  for (let i = 0; i < 10; i++) await s.put(makeRecord(`snap-${i}`));
  await s.compact();
  for (let i = 0; i < 5; i++) await s.put(makeRecord(`log-${i}`));
  await s.put(makeRecord('snap-1', { version: '2.0.0' }));
  await s.remove('snap-2');
  const state = contents(s);
  await s.close();
  return state;
}

function contents(s: ZoneStore) {
  return { serial: s.serial, changes: plain(s.changesSince(0, 10_000).entries) };
}

const files = async (dir: string, ext: string) => (await readdir(dir)).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));

async function logLines(dir: string) {
  const [file] = await files(dir, '.log');
  const text = await readFile(file!, 'utf8');
  return { file: file!, lines: text.split('\n').slice(0, -1).map((l) => `${l}\n`) };
}

type Damage = (dir: string) => Promise<{ expect: RegExp[] }>;

const table: [string, Damage][] = [];
for (const back of [1, 2, 3]) {
  table.push([`a flipped bit in line ${back} from the end`, async (dir) => {
    const { file, lines } = await logLines(dir);
    const at = lines.length - back;
    const bytes = Buffer.from(lines[at]!);
    bytes[30] ^= 0x04; // inside the JSON, so the checksum no longer matches
    lines[at] = bytes.toString('latin1');
    await writeFile(file, Buffer.from(lines.join(''), 'latin1'));
    return { expect: [new RegExp(`line ${at + 1}`), /fails its checksum/] };
  }]);
}
for (let keep = 0; keep < LAST_SEQ - SNAPSHOT_SEQ; keep++) {
  table.push([`the log cut after ${keep} of its ${LAST_SEQ - SNAPSHOT_SEQ} lines`, async (dir) => {
    const { file, lines } = await logLines(dir);
    await truncate(file, Buffer.byteLength(lines.slice(0, keep).join('')));
    return { expect: [new RegExp(`seq ${SNAPSHOT_SEQ + keep + 1}\\.\\.${LAST_SEQ}`), /end is missing/] };
  }]);
}
table.push(['the last line cut in half (a "torn" tail that had been acknowledged)', async (dir) => {
  const { file, lines } = await logLines(dir);
  await truncate(file, Buffer.byteLength(lines.join('')) - 20);
  return { expect: [new RegExp(`seq ${LAST_SEQ}\\.\\.${LAST_SEQ}`)] };
}]);
table.push(['a line missing from the middle (a seq gap)', async (dir) => {
  const { file, lines } = await logLines(dir);
  lines.splice(3, 1);
  await writeFile(file, lines.join(''));
  return { expect: [/line 4/, new RegExp(`seq ${SNAPSHOT_SEQ + 4}\\.\\.${SNAPSHOT_SEQ + 4}`)] };
}]);
table.push(['the snapshot deleted', async (dir) => {
  for (const f of await files(dir, '.snap')) await rm(f);
  return { expect: [/snap-0+10\.snap/, /snapshot is missing/, /seq 1\.\.10/] };
}]);
table.push(['the log deleted', async (dir) => {
  for (const f of await files(dir, '.log')) await rm(f);
  return { expect: [/log is missing/, new RegExp(`seq ${SNAPSHOT_SEQ + 1}\\.\\.${LAST_SEQ}`)] };
}]);
table.push(['the log and the snapshot deleted', async (dir) => {
  for (const f of [...(await files(dir, '.log')), ...(await files(dir, '.snap'))]) await rm(f);
  return { expect: [/log is missing/, /snapshot is missing/] };
}]);

for (const [name, damage] of table) {
  test(`${name}: refused naming the damage; opens with what is left only when the loss is accepted`, async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const acked = await build(dir);
      const { expect } = await damage(dir);
      const before = await snapshotOfDir(dir);
      let refused: StewardError | undefined;
      try {
        (await ZoneStore.open({ zone: ZONE, dir })).close();
      } catch (err) {
        refused = err as StewardError;
      }
      assert.ok(refused, 'opened a damaged store without a word');
      assert.is(refused!.code, 'STORE_CORRUPT', refused!.message);
      for (const re of expect) assert.match(refused!.message, re);
      assert.equal(await snapshotOfDir(dir), before, 'a refused open changes nothing on disk');

      const logged: string[] = [];
      const log = { info() {}, warn() {}, error: (_: object, msg: string) => void logged.push(msg) };
      const s = await ZoneStore.open({ zone: ZONE, dir, acceptDataLoss: true, log });
      assert.ok(s.dataLoss.length > 0 && logged.length === s.dataLoss.length, 'every loss is logged');
      assert.ok(s.serial >= acked.serial, `serial ${s.serial} went below the acknowledged ${acked.serial}`);
      const left = contents(s);
      const next = await s.put(makeRecord('after-loss'));
      assert.ok(next.seq > acked.serial, 'seqs are not handed out twice');
      await s.close();
      const again = await ZoneStore.open({ zone: ZONE, dir });
      assert.equal(contents(again).changes, [...left.changes, plain(next)], 'after accepting, the store opens cleanly with what was left');
      assert.is(again.dataLoss.length, 0);
      await again.close();
    } finally {
      await cleanup();
    }
  });
}

test('undamaged: opens with exactly the acknowledged data', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const acked = await build(dir);
    const s = await ZoneStore.open({ zone: ZONE, dir });
    assert.equal(contents(s), acked);
    assert.is(s.fresh, false);
    await s.close();
  } finally {
    await cleanup();
  }
});

async function snapshotOfDir(dir: string) {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = (await readFile(join(dir, f))).toString('base64');
  return out;
}

test.run();

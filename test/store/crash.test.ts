// Kill a publishing process with SIGKILL at random moments, many times over, and check
// that every change it acknowledged is still there and the store opens cleanly each time.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ZoneStore } from '../../src/store/zone-store.js';
import { tempDir, ZONE } from './fixtures.js';

const ROUNDS = 20;
const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;

interface Ack { seq: number; op: string; name: string }

/** Runs the child until it has acknowledged something, lets it run a random while, kills it. */
function runAndKill(dir: string, round: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      timer ??= setTimeout(() => child.kill('SIGKILL'), 20 + Math.random() * 400);
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(giveUp);
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended by itself (code ${code}): ${err}`));
      if (!timer) return reject(new Error(`child acknowledged nothing: ${err}`));
      const lines = out.split('\n').slice(0, -1); // the last piece may be a line cut by the kill
      resolve(lines.map((l) => {
        const [seq, op, name] = l.split('\t');
        return { seq: Number(seq), op: op!, name: name! };
      }));
    });
  });
}

test(`${ROUNDS} rounds of SIGKILL during publishing lose no acknowledged change`, async () => {
  const { dir, cleanup } = await tempDir();
  try {
    let total = 0;
    let lastSerial = 0;
    const snapshots = new Set<number>();
    for (let round = 1; round <= ROUNDS; round++) {
      const acks = await runAndKill(dir, round);
      total += acks.length;
      const store = await ZoneStore.open({ zone: ZONE, dir }); // must open cleanly
      try {
        const latest = new Map<string, { seq: number; op: string }>();
        for (let since = 0; ;) {
          const page = store.changesSince(since, 5000);
          for (const e of page.entries) latest.set(e.record.name, { seq: e.seq, op: e.op });
          if (page.entries.length < 5000) break;
          since = page.next;
        }
        const lastAck = new Map<string, Ack>();
        for (const a of acks) if ((lastAck.get(a.name)?.seq ?? -1) < a.seq) lastAck.set(a.name, a);
        for (const a of lastAck.values()) {
          const held = latest.get(a.name);
          assert.ok(held && held.seq >= a.seq, `round ${round}: acknowledged ${a.op} of ${a.name} at seq ${a.seq} is lost (store has ${held?.seq})`);
          if (held.seq === a.seq) assert.is(held.op, a.op, `round ${round}: ${a.name} at seq ${a.seq}`);
          if (held.seq === a.seq && a.op === 'put') assert.ok(store.get(a.name), `round ${round}: ${a.name} readable`);
        }
        const maxAck = Math.max(0, ...acks.map((a) => a.seq));
        assert.ok(store.serial >= maxAck, `round ${round}: serial ${store.serial} < acknowledged ${maxAck}`);
        assert.ok(store.serial >= lastSerial, `round ${round}: serial went back from ${lastSerial} to ${store.serial}`);
        lastSerial = store.serial;
        snapshots.add(store.stats.snapshotSeq);
      } finally {
        await store.close();
      }
    }
    assert.ok(total > ROUNDS, `only ${total} acknowledged changes over ${ROUNDS} rounds`);
    console.log(`  ${total} acknowledged changes over ${ROUNDS} kills, final serial ${lastSerial}, ${snapshots.size - 1} snapshots seen`);
  } finally {
    await cleanup();
  }
});

test.run();

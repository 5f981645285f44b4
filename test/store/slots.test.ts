// Record bytes in the off-heap arena: whatever the mix of writes, replaces and deletes,
// every slot reads back its latest bytes, and mostly empty slabs are given back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Slots, PUBLIC, TOMBSTONE } from '../../src/store/slots.js';

test('random writes over small slabs: every slot reads back its latest bytes; holes are reclaimed', () => {
  const slots = new Slots(4096);
  const model = new Map<number, Buffer>();
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let op = 0; op < 20_000; op++) {
    const slot = slots.slotFor(`name-${rnd(300)}`);
    const bytes = Buffer.alloc(5 + rnd(400), op % 251);
    bytes.writeUInt32LE(op, 0);
    if (op % 3 === 0) {
      slots.setBase64(slot, bytes.toString('base64'));
    } else {
      slots.setBytes(slot, bytes);
    }
    slots.states[slot] = rnd(10) === 0 ? TOMBSTONE : PUBLIC;
    model.set(slot, bytes);
    if (op % 997 === 0) for (const [s, b] of model) assert.ok(slots.bytesAt(s).equals(b), `slot ${s} at op ${op}`);
  }
  for (const [s, b] of model) assert.ok(slots.bytesAt(s).equals(b), `slot ${s}`);
  const live = [...model.values()].reduce((n, b) => n + b.length, 0);
  assert.is(slots.bytes.live, live);
  // Holes are bounded: sparse slabs were emptied and dropped along the way.
  assert.ok(slots.bytes.slabs < live * 4 + 2 * 4096, `${slots.bytes.slabs} slab bytes for ${live} live`);
});

test('a record bigger than a slab gets a slab of its own', () => {
  const slots = new Slots(1024);
  const big = Buffer.alloc(5000, 1);
  const s = slots.slotFor('big');
  slots.setBytes(s, big);
  assert.ok(slots.bytesAt(s).equals(big));
  assert.is(slots.find('big'), s);
  assert.is(slots.find('nobody'), undefined);
});

test.run();

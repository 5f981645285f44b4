// Posting lists: the token index kept per zone, and the lists a snapshot writes and loads.
// However a list was made, the index must read the same sorted slots.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenIndex } from '../../src/store/postings.js';

const list = (index: TokenIndex, token: string) => [...index.slots(token)];

test('add and delete keep each list sorted and free of repeats', () => {
  const index = new TokenIndex();
  for (const slot of [5, 1, 9, 1, 3, 7]) index.add('t', slot);
  assert.equal(list(index, 't'), [1, 3, 5, 7, 9]);
  index.delete('t', 5);
  index.delete('t', 42);
  assert.equal(list(index, 't'), [1, 3, 7, 9]);
  for (const slot of [1, 3, 7]) index.delete('t', slot);
  assert.equal(list(index, 't'), [9]);
  assert.is(index.count('t'), 1);
  index.delete('t', 9);
  assert.is(index.tokens, 0);
});

test('a list loaded from a snapshot maps record numbers to slots and reads like one built by adds', () => {
  const loaded = new TokenIndex();
  const added = new TokenIndex();
  const slotOf = Array.from({ length: 100 }, (_, i) => i * 3);
  loaded.load('t', Uint32Array.from([0, 5, 7, 99]), slotOf);
  for (const s of [0, 15, 21, 297]) added.add('t', s);
  assert.equal(list(loaded, 't'), list(added, 't'));
  loaded.add('t', 16);
  loaded.delete('t', 21);
  assert.equal(list(loaded, 't'), [0, 15, 16, 297]);
  // one slot stays a bare number; a token already present is merged, not replaced
  loaded.load('solo', Uint32Array.from([4]), slotOf);
  assert.equal(list(loaded, 'solo'), [12]);
  loaded.load('t', Uint32Array.from([1, 2]), slotOf);
  assert.equal(list(loaded, 't'), [0, 3, 6, 15, 16, 297]);
  // out of order after mapping: still a sorted list
  loaded.load('rev', Uint32Array.from([0, 1, 2]), [9, 4, 1]);
  assert.equal(list(loaded, 'rev'), [1, 4, 9]);
  assert.throws(() => loaded.load('bad', Uint32Array.from([500]), slotOf), /record 500/);
});

test('lists() yields every token with its sorted slots', () => {
  const index = new TokenIndex();
  index.add('a', 3);
  for (const s of [9, 2, 5]) index.add('b', s);
  assert.equal([...index.lists()].map(([t, l]) => [t, [...l]]), [['a', [3]], ['b', [2, 5, 9]]]);
});

test.run();

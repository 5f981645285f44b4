// Posting lists: the token index kept per zone, and the builder a snapshot load fills by
// token number. Whatever way a list was built, the index must read the same sorted slots.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PostingBuilder, TokenIndex } from '../../src/store/postings.js';

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

test('a built list equals one made by adds, and merges with what the index already holds', () => {
  const built = new TokenIndex();
  const added = new TokenIndex();
  const builder = new PostingBuilder();
  const tokens = ['common', 'rare', 'mid'];
  for (let slot = 0; slot < 1000; slot++) {
    const mine = tokens.filter((_, id) => slot % (id * 7 + 1) === 0);
    const ids = mine.map((t) => tokens.indexOf(t));
    // every 10th slot's 'mid' comes inline (-1): written when only one agent had it
    const inline = ids.map((id, i) => (mine[i] === 'mid' && slot % 10 === 0 ? -1 : id));
    builder.addAll(mine, inline, slot, built);
    for (const t of mine) added.add(t, slot);
  }
  builder.into(built);
  for (const t of tokens) assert.equal(list(built, t), list(added, t), t);
  assert.is(built.count('common'), 1000);
  // The builder starts empty again, and a one-slot list stays a bare number.
  builder.add(0, 'solo', 4);
  builder.into(built);
  assert.equal(list(built, 'solo'), [4]);
  built.delete('solo', 4);
  assert.is(built.count('solo'), 0);
});

test.run();

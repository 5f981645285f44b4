// What a zone store's snapshot holds, as items for the append log (snapshot-format.ts):
// a header, every name's record (tombstones included), then the discover indexes as
// posting lists of record ordinals, so a restart copies them instead of re-deriving them.
import { setImmediate as tick } from 'node:timers/promises';
import type { TokenIndex } from './postings.js';
import type { StoreCodec } from './keyed-store.js';
import { SnapshotEncoder } from './snapshot-format.js';
import { FREE, TOMBSTONE, type Slots } from './slots.js';
import { TOKEN_RULES } from './tokens.js';

export interface SnapshotSource {
  slots: Slots;
  codec: Pick<StoreCodec<unknown>, 'namespace' | 'headerOf' | 'headerAt'>;
  capabilities: TokenIndex;
  keywords: TokenIndex;
  /** Resolves once every change made so far is durable. */
  durable(): Promise<void>;
}

const NO_ORDINAL = 0xffffffff;

export async function* snapshotItems(src: SnapshotSource, written: { records: number }): AsyncGenerator<Uint8Array> {
  const { slots, codec } = src;
  const out = new SnapshotEncoder((i) => codec.headerAt(i));
  yield out.meta({ namespace: codec.namespace, tokens: TOKEN_RULES });
  // Names created after this point were put after the snapshot's seq: the log has them.
  // (Chasing them would never finish while a bulk load runs.)
  const end = slots.count;
  const ordinals = new Uint32Array(end).fill(NO_ORDINAL);
  let next = 0;
  for (let slot = 0; slot < end; slot++) {
    if (slot % 1000 === 999) await tick(); // let requests through while a big zone is written
    const state = slots.states[slot]!;
    if (state === FREE) continue;
    const bytes = slots.bytesAt(slot);
    const header = codec.headerOf(bytes);
    ordinals[slot] = next++;
    yield state === TOMBSTONE
      ? out.delete(slots.seqs[slot]!, slots.nameAt(slot), header, bytes)
      : out.put(slots.seqs[slot]!, slots.nameAt(slot), header, bytes, state, slots.trusts[slot]!);
  }
  written.records = next;
  // The lists as they are now, which may be newer than some records above. That is safe:
  // every change since a record was written is in the log and is replayed over it (each
  // replayed change moves the record's tokens from its previous version's to its own),
  // once the changes the lists include are durable — waited for below, before the file
  // can be used.
  for (const [name, index] of [['capabilities', src.capabilities], ['keywords', src.keywords]] as const) {
    let scratch = new Uint32Array(1024);
    let tokens = 0;
    for (const [token, list] of index.lists()) {
      if (++tokens % 1000 === 0) await tick();
      if (scratch.length < list.length) scratch = new Uint32Array(list.length * 2);
      let n = 0;
      for (let i = 0; i < list.length; i++) {
        const o = list[i]! < end ? ordinals[list[i]!]! : NO_ORDINAL;
        if (o !== NO_ORDINAL) scratch[n++] = o;
      }
      if (n > 0) yield out.postings(name, token, scratch, n);
    }
  }
  await src.durable();
}

// Undoing a change in memory whose write to the log failed (a full disk): the slot gets
// back the record, state, trust and seq it had, the indexes its tokens, the seq order its
// entry — so nothing is served that was not stored.
import type { TokenIndex } from './postings.js';
import type { StoreCodec } from './keyed-store.js';
import type { SeqOrder } from './seq-order.js';
import { isLive, TOMBSTONE, type Slots } from './slots.js';
import { capabilityTokens, keywordTokens } from './tokens.js';

/** What a change replaced, kept until the change is durable. `bytes` undefined: a new name. */
export interface Undo { slot: number; seq: number; state: number; trust: number; bytes: Buffer | undefined }

interface Parts { slots: Slots; codec: Pick<StoreCodec<unknown>, 'fields'>; capabilities: TokenIndex; keywords: TokenIndex; order: SeqOrder; hot: { delete(slot: number): unknown } }

/** The undo of every change not yet durable, by seq. */
export class UndoLog {
  private readonly bySeq = new Map<number, Undo>();

  /** Before change `seq` to `name` is applied. */
  remember(seq: number, slots: Slots, name: string): void {
    const slot = slots.slotFor(name);
    const bytes = slots.seqs[slot]! > 0 ? Buffer.from(slots.bytesAt(slot)) : undefined;
    this.bySeq.set(seq, { slot, seq: slots.seqs[slot]!, state: slots.states[slot]!, trust: slots.trusts[slot]!, bytes });
  }

  /** Change `seq` is durable. */
  forget(seq: number): void {
    this.bySeq.delete(seq);
  }

  /** Undoes changes `to` down to `from`, newest first; returns the change in live and tombstone counts. */
  rollback(from: number, to: number, parts: Parts): { live: number; tombstones: number } {
    parts.order.dropFrom(from);
    const sum = { live: 0, tombstones: 0 };
    for (let seq = to; seq >= from; seq--) {
      const u = this.bySeq.get(seq);
      if (!u) continue;
      this.bySeq.delete(seq);
      parts.hot.delete(u.slot);
      const d = undoChange(u, parts);
      sum.live += d.live;
      sum.tombstones += d.tombstones;
    }
    return sum;
  }
}

/** Puts the slot back as `u` says; returns the change in live and tombstone counts. */
export function undoChange(u: Undo, parts: Parts): { live: number; tombstones: number } {
  const { slots, codec, order } = parts;
  const cur = slots.states[u.slot]!;
  const now = isLive(cur) ? codec.fields(slots.bytesAt(u.slot)) : undefined;
  const was = u.bytes && isLive(u.state) ? codec.fields(u.bytes) : undefined;
  reindex(parts.capabilities, u.slot, now && capabilityTokens(now), was && capabilityTokens(was));
  reindex(parts.keywords, u.slot, now && keywordTokens(now), was && keywordTokens(was));
  if (u.bytes) slots.setBytes(u.slot, u.bytes);
  else slots.clear(u.slot);
  slots.states[u.slot] = u.state;
  slots.trusts[u.slot] = u.trust;
  slots.seqs[u.slot] = u.seq;
  if (u.seq > 0) order.restore(u.seq, u.slot);
  return {
    live: (isLive(u.state) ? 1 : 0) - (isLive(cur) ? 1 : 0),
    tombstones: (u.state === TOMBSTONE ? 1 : 0) - (cur === TOMBSTONE ? 1 : 0),
  };
}

/** Moves the slot in the index from the tokens `from` to `to`, touching only the difference. */
export function reindex(index: TokenIndex, slot: number, from: string[] | undefined, to: string[] | undefined): void {
  // A new version usually keeps its tokens, and re-inserting into a big posting list would
  // move it in memory for nothing.
  const keep = new Set(to ?? []);
  for (const t of from ?? []) if (!keep.delete(t)) index.delete(t, slot);
  for (const t of keep) index.add(t, slot);
}

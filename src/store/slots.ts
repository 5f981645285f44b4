// Per-name storage of a zone: every name ever seen gets a slot number; what the store
// keeps per slot sits in flat typed arrays, and the record bytes in the arena. Slots are
// never reused (a deleted name stays as a tombstone), so posting lists and the seq order
// can refer to a slot for as long as they like.
import { ByteArena } from './arena.js';
import { grow } from './seq-order.js';

// Slot states. Visibility is kept so discover can filter without decoding.
export const FREE = 0;
export const PUBLIC = 1;
export const INTERNAL = 2;
export const OTHER = 3;
export const TOMBSTONE = 4;
export const isLive = (s: number) => s >= PUBLIC && s <= OTHER;

export class Slots {
  private readonly slotOf = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly arena: ByteArena;
  private refs = new Float64Array(1024);
  private lens = new Uint32Array(1024);
  seqs = new Float64Array(1024);
  trusts = new Float64Array(1024);
  states = new Uint8Array(1024);

  /** `slabBytes` only for tests: small slabs make relocation happen with little data. */
  constructor(slabBytes?: number) {
    this.arena = new ByteArena(slabBytes);
  }

  get count(): number {
    return this.names.length;
  }

  get bytes(): { live: number; slabs: number } {
    return { live: this.arena.liveBytes, slabs: this.arena.slabBytes };
  }

  find(name: string): number | undefined {
    return this.slotOf.get(name);
  }

  /** The slot of `name`, made (FREE, seq 0) when the name is new. */
  slotFor(name: string): number {
    let slot = this.slotOf.get(name);
    if (slot === undefined) {
      slot = this.names.length;
      if (slot === this.seqs.length) {
        this.seqs = grow(this.seqs, Float64Array);
        this.trusts = grow(this.trusts, Float64Array);
        this.states = grow(this.states, Uint8Array);
        this.refs = grow(this.refs, Float64Array);
        this.lens = grow(this.lens, Uint32Array);
      }
      this.slotOf.set(name, slot);
      this.names.push(name);
    }
    return slot;
  }

  nameAt(slot: number): string {
    return this.names[slot]!;
  }

  entries(): IterableIterator<[string, number]> {
    return this.slotOf.entries();
  }

  /** The slot's record bytes, without copying: read them before anything else changes the store. */
  bytesAt(slot: number): Buffer {
    return this.arena.view(this.refs[slot]!, this.lens[slot]!);
  }

  /** Stores `bytes` for the slot (copied into the arena), dropping what it held; returns the arena's view. */
  setBytes(slot: number, bytes: Uint8Array): Buffer {
    this.release(slot);
    const ref = this.arena.add(bytes);
    this.refs[slot] = ref;
    this.lens[slot] = bytes.length;
    return this.arena.view(ref, bytes.length);
  }

  /** Stores base64 bytes for the slot, decoded straight into the arena; returns a view. */
  setBase64(slot: number, base64: string): Buffer {
    this.release(slot);
    const [ref, n] = this.arena.addBase64(base64);
    this.refs[slot] = ref;
    this.lens[slot] = n;
    return this.arena.view(ref, n);
  }

  /** Drops the slot's bytes (it holds no record any more: an undone first publish). */
  clear(slot: number): void {
    this.release(slot);
  }

  private release(slot: number): void {
    if (this.states[slot] === FREE && this.lens[slot] === 0) return;
    const sparse = this.arena.free(this.refs[slot]!, this.lens[slot]!);
    this.lens[slot] = 0;
    if (sparse >= 0) this.relocate(sparse);
  }

  /** Moves the records still in a mostly empty slab out of it, so the slab can go. */
  private relocate(slab: number): void {
    for (let s = 0; s < this.names.length; s++) {
      if (this.lens[s]! > 0 && this.arena.slabOf(this.refs[s]!) === slab) this.refs[s] = this.arena.move(this.refs[s]!, this.lens[s]!);
    }
  }
}

/** The state a live record's slot takes. */
export function visibilityState(record: { visibility?: string }): number {
  return record.visibility === 'public' ? PUBLIC : record.visibility === 'internal' ? INTERNAL : OTHER;
}

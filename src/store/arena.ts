// Record bytes live here, outside the JS heap, packed into 8 MB slabs. A million records
// as a million strings cost seconds of garbage collection on every restart (each one is
// copied out of the young generation, then marked on every full GC); in slabs they are
// one memcpy each and invisible to the collector. A ref is slab * 2^32 + offset.
// Replaced and deleted records leave holes; once a slab is mostly holes its remaining
// records are moved out (relocate) and the slab is dropped.

const SLAB = 8 << 20;
const SPAN = 2 ** 32;
/** A slab below this fraction of live bytes is worth emptying. */
const SPARSE = 0.25;

export class ByteArena {
  private readonly slabs: (Buffer | undefined)[] = [];
  private readonly live: number[] = [];
  private cur = -1;
  private pos = 0;
  liveBytes = 0;

  constructor(private readonly slabSize = SLAB) {}

  get slabBytes(): number {
    return this.slabs.reduce((n, s) => n + (s?.length ?? 0), 0);
  }

  /** Reserves `n` bytes; write them through view(ref, n). */
  alloc(n: number): number {
    if (this.cur < 0 || this.pos + n > this.slabs[this.cur]!.length) {
      this.cur = this.slabs.length;
      this.slabs.push(Buffer.allocUnsafeSlow(Math.max(this.slabSize, n)));
      this.live.push(0);
      this.pos = 0;
    }
    const ref = this.cur * SPAN + this.pos;
    this.pos += n;
    this.live[this.cur]! += n;
    this.liveBytes += n;
    return ref;
  }

  /** Copies `bytes` in; returns its ref. */
  add(bytes: Uint8Array): number {
    const ref = this.alloc(bytes.length);
    this.view(ref, bytes.length).set(bytes);
    return ref;
  }

  /** Decodes base64 straight into the arena (no intermediate buffer); returns [ref, length]. */
  addBase64(text: string): [number, number] {
    const n = Buffer.byteLength(text, 'base64');
    const ref = this.alloc(n);
    const written = this.view(ref, n).write(text, 'base64');
    return [ref, written];
  }

  /** The bytes at ref, without copying: valid until the next relocate of their slab. */
  view(ref: number, n: number): Buffer {
    const at = ref % SPAN;
    return this.slabs[Math.floor(ref / SPAN)]!.subarray(at, at + n);
  }

  /**
   * Marks the bytes at ref as a hole. Returns the slab's number when it has become sparse
   * (the caller then moves its records with relocate), else -1.
   */
  free(ref: number, n: number): number {
    const slab = Math.floor(ref / SPAN);
    this.live[slab]! -= n;
    this.liveBytes -= n;
    if (slab === this.cur) return -1;
    if (this.live[slab] === 0) {
      this.slabs[slab] = undefined; // the whole slab is holes
      return -1;
    }
    return this.live[slab]! < SPARSE * this.slabs[slab]!.length ? slab : -1;
  }

  slabOf(ref: number): number {
    return Math.floor(ref / SPAN);
  }

  /** Moves one record out of its slab; returns the new ref. */
  move(ref: number, n: number): number {
    const to = this.alloc(n);
    this.view(to, n).set(this.view(ref, n));
    this.free(ref, n);
    return to;
  }
}

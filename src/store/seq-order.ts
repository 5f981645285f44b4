// Every name's latest change, in seq order — what /v1/sync pages through. Changes are
// appended (seqs only rise); an entry whose name has changed again since is skipped when
// read and squeezed out once such entries are half the array. A snapshot loads in slot
// order, not seq order: then the array is sorted once, before it is next read.

export class SeqOrder {
  private seqs = new Float64Array(1024);
  private slots = new Uint32Array(1024);
  private n = 0;
  private stale = 0;
  private sorted = true;

  constructor(private readonly currentSeqOf: (slot: number) => number) {}

  push(seq: number, slot: number, supersedes: boolean): void {
    if (this.n === this.seqs.length) {
      this.seqs = grow(this.seqs, Float64Array);
      this.slots = grow(this.slots, Uint32Array);
    }
    if (this.n > 0 && seq < this.seqs[this.n - 1]!) this.sorted = false;
    this.seqs[this.n] = seq;
    this.slots[this.n] = slot;
    this.n++;
    if (supersedes && ++this.stale > 1024 && this.stale * 2 > this.n) this.squeeze();
  }

  /** Calls `visit` for each current (seq, slot) with from < seq <= to, in order, until it returns false. */
  scan(from: number, to: number, visit: (seq: number, slot: number) => boolean): void {
    if (!this.sorted) this.sort();
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.n; i++) {
      const seq = this.seqs[i]!;
      if (seq > to) return;
      const slot = this.slots[i]!;
      if (this.currentSeqOf(slot) !== seq) continue;
      if (!visit(seq, slot)) return;
    }
  }

  /** Forgets the entries with seq >= `seq` (changes undone after a failed write). */
  dropFrom(seq: number): void {
    if (!this.sorted) this.sort();
    this.n = this.lowerBound(seq);
  }

  /** Puts back (seq, slot) as current, in order, unless it is still there (an undone change's predecessor). */
  restore(seq: number, slot: number): void {
    if (!this.sorted) this.sort();
    const at = this.lowerBound(seq);
    if (at < this.n && this.seqs[at] === seq) return;
    if (this.n === this.seqs.length) {
      this.seqs = grow(this.seqs, Float64Array);
      this.slots = grow(this.slots, Uint32Array);
    }
    this.seqs.copyWithin(at + 1, at, this.n);
    this.slots.copyWithin(at + 1, at, this.n);
    this.seqs[at] = seq;
    this.slots[at] = slot;
    this.n++;
  }

  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private sort(): void {
    this.squeeze();
    const order = Array.from({ length: this.n }, (_, i) => i).sort((a, b) => this.seqs[a]! - this.seqs[b]!);
    const seqs = new Float64Array(this.seqs.length);
    const slots = new Uint32Array(this.slots.length);
    order.forEach((from, to) => {
      seqs[to] = this.seqs[from]!;
      slots[to] = this.slots[from]!;
    });
    this.seqs = seqs;
    this.slots = slots;
    this.sorted = true;
  }

  private squeeze(): void {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const slot = this.slots[r]!;
      if (this.currentSeqOf(slot) !== this.seqs[r]) continue;
      this.seqs[w] = this.seqs[r]!;
      this.slots[w] = slot;
      w++;
    }
    this.n = w;
    this.stale = 0;
  }
}

export function grow<T extends Float64Array | Uint32Array | Uint8Array>(a: T, Ctor: new (n: number) => T): T {
  const b = new Ctor(a.length * 2);
  b.set(a as never);
  return b;
}

// Token → sorted set of slot numbers. Most tokens (a unique word in one agent's name)
// have one slot: that is kept as a bare number in the map, not as an object; larger sets
// are sorted Uint32Arrays, 4 bytes a member, so a million agents' indexes stay small.
// Sorted order lets a query intersect lists by walking the smallest one.

class Posting {
  a: Uint32Array;
  n: number;
  constructor(x: number, y: number, list?: Uint32Array) {
    if (list) {
      this.a = list; // taken over as it is: sorted, no repeats (a snapshot's list)
      this.n = list.length;
      return;
    }
    this.a = new Uint32Array(4);
    this.a[0] = Math.min(x, y);
    this.a[1] = Math.max(x, y);
    this.n = 2;
  }
  /** Index of `slot`, or -(insertion point) - 1. */
  find(slot: number): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.a[mid]!;
      if (v < slot) lo = mid + 1;
      else if (v > slot) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
  insert(slot: number): void {
    // New agents get the highest slot so far: appending is the common case.
    let at = this.n > 0 && this.a[this.n - 1]! < slot ? this.n : this.find(slot);
    if (at >= 0 && at < this.n) return; // already there
    if (at < 0) at = -at - 1;
    if (this.n === this.a.length) {
      const grown = new Uint32Array(this.a.length * 2);
      grown.set(this.a);
      this.a = grown;
    }
    this.a.copyWithin(at + 1, at, this.n);
    this.a[at] = slot;
    this.n++;
  }
  delete(slot: number): void {
    const at = this.find(slot);
    if (at < 0) return;
    this.a.copyWithin(at, at + 1, this.n);
    this.n--;
    if (this.n * 4 < this.a.length && this.a.length > 16) this.a = this.a.slice(0, this.n * 2);
  }
}

export class TokenIndex {
  private readonly map = new Map<string, number | Posting>();

  get tokens(): number {
    return this.map.size;
  }

  add(token: string, slot: number): void {
    const cur = this.map.get(token);
    if (cur === undefined) this.map.set(token, slot);
    else if (typeof cur === 'number') {
      if (cur !== slot) this.map.set(token, new Posting(cur, slot));
    } else cur.insert(slot);
  }

  /**
   * Sets a token's list from a snapshot: `list` holds record numbers, turned into slots
   * by `slotOf` in place; the array is then taken over (not copied) when the slots are
   * ascending and the token is new here, else they are added one by one.
   */
  load(token: string, list: Uint32Array, slotOf: ArrayLike<number>): void {
    let sorted = true;
    for (let i = 0; i < list.length; i++) {
      const slot = slotOf[list[i]!];
      if (slot === undefined) throw new RangeError(`the list of ${token} names record ${list[i]}, which the snapshot does not hold`);
      list[i] = slot;
      if (i > 0 && slot <= list[i - 1]!) sorted = false;
    }
    if (list.length === 0) return;
    if (!sorted || this.map.has(token)) for (const slot of list) this.add(token, slot);
    else this.map.set(token, list.length === 1 ? list[0]! : new Posting(0, 0, list));
  }

  /** Every token with its sorted slots (a view, valid until the next change). */
  *lists(): IterableIterator<[string, Uint32Array]> {
    const one = new Uint32Array(1);
    for (const [token, entry] of this.map) {
      if (typeof entry === 'number') {
        one[0] = entry;
        yield [token, one];
      } else yield [token, entry.a.subarray(0, entry.n)];
    }
  }

  delete(token: string, slot: number): void {
    const cur = this.map.get(token);
    if (cur === undefined) return;
    if (typeof cur === 'number') {
      if (cur === slot) this.map.delete(token);
      return;
    }
    cur.delete(slot);
    if (cur.n === 1) this.map.set(token, cur.a[0]!);
  }

  /** How many slots hold `token` (cheap: used to order an intersection). */
  count(token: string): number {
    const cur = this.map.get(token);
    return cur === undefined ? 0 : typeof cur === 'number' ? 1 : cur.n;
  }

  /** The sorted slots holding `token`, as a read-only view (valid until the next change). */
  slots(token: string): Uint32Array {
    const cur = this.map.get(token);
    if (cur === undefined) return EMPTY;
    if (typeof cur === 'number') return Uint32Array.of(cur);
    return cur.a.subarray(0, cur.n);
  }
}

const EMPTY = new Uint32Array(0);

/** First index at or after `from` whose value is >= `slot` (list sorted ascending). */
export function gallop(list: Uint32Array, slot: number, from: number): number {
  // Exponential then binary search from `from`: intersecting a small list with a big one
  // costs O(small × log(big)), not O(big).
  let step = 1;
  let lo = from;
  let hi = from;
  while (hi < list.length && list[hi]! < slot) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > list.length - 1) hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < slot) lo = mid + 1;
    else hi = mid - 1;
  }
  return lo; // first index with list[i] >= slot
}

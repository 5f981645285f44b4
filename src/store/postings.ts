// Token → sorted set of slot numbers. Most tokens (a unique word in one agent's name)
// have one slot: that is kept as a bare number in the map, not as an object; larger sets
// are sorted Uint32Arrays, 4 bytes a member, so a million agents' indexes stay small.
// Sorted order lets a query intersect lists by walking the smallest one.

class Posting {
  a: Uint32Array;
  n: number;
  constructor(x: number, y: number) {
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

  /** Adds a built list (PostingBuilder): taken as it is when the token is new here. */
  merge(token: string, entry: number | Posting): void {
    if (!this.map.has(token)) this.map.set(token, entry);
    else if (typeof entry === 'number') this.add(token, entry);
    else for (let i = 0; i < entry.n; i++) this.add(token, entry.a[i]!);
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

/**
 * Builds posting lists during a snapshot load, where slots arrive in ascending order and
 * tokens shared by many agents come with the snapshot's number for them: adding is an
 * array index and an append, not a map lookup per (token, agent) — a million agents carry
 * some twenty million of those. `into` then hands the lists to the index.
 */
export class PostingBuilder {
  private readonly entries: (number | Posting | undefined)[] = [];
  private readonly tokens: string[] = [];

  /** A new slot's tokens with their numbers: numbered ones are built here, the rest (-1) go to `index`. */
  addAll(tokens: string[], ids: number[], slot: number, index: TokenIndex): void {
    for (let i = 0; i < tokens.length; i++) {
      const id = ids[i]!;
      if (id >= 0) this.add(id, tokens[i]!, slot);
      else index.add(tokens[i]!, slot);
    }
  }

  add(id: number, token: string, slot: number): void {
    const cur = this.entries[id];
    if (cur === undefined) {
      this.entries[id] = slot;
      this.tokens[id] = token;
    } else if (typeof cur === 'number') {
      if (cur !== slot) this.entries[id] = new Posting(cur, slot);
    } else cur.insert(slot);
  }

  /** Moves every list built so far into `index` (merged with what it holds) and starts empty. */
  into(index: TokenIndex): void {
    this.entries.forEach((entry, id) => {
      if (entry !== undefined) index.merge(this.tokens[id]!, entry);
    });
    this.entries.length = 0;
    this.tokens.length = 0;
  }
}

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

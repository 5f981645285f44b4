// Confusable names (SPEC §2): a new agent name is refused when its UTS #39 style
// skeleton equals an existing one's, or, for short names, is one edit away.
// Built for zones of a million names: a skeleton map answers the first question in one
// lookup, a symmetric-delete index (SymSpell) the second in about 2n hash probes, and no
// check ever scans the zone.
import { domainToUnicode } from 'node:url';
import { PROTOTYPE, SEQUENCES } from './confusable-table.js';

/**
 * Names whose skeletons are at most this long also conflict at edit distance 1 (one
 * insertion, deletion, substitution or swap of neighbours). Short names are where one
 * typo makes a plausible other agent; for long ones it would refuse honest names.
 */
export const SHORT_NAME_MAX = 12;

// ASCII fast path: a 128-entry table (identity except the look-alikes and upper case).
const ASCII_MAP: string[] = [];
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ASCII_MAP[c] = PROTOTYPE.get(ch) ?? ch.toLowerCase();
}
const SEQ_RE = new RegExp(Object.keys(SEQUENCES).join('|'), 'g');
const seq = (m: string): string => SEQUENCES[m];
const NON_ASCII = /[^\x00-\x7f]/;
// Labels with none of the mapped ASCII characters or sequences are their own skeleton.
const MAPPED_CODES = [...Array(128).keys()].filter((c) => ASCII_MAP[c] !== String.fromCharCode(c));
const ASCII_MAPPED = new RegExp(
  `[${MAPPED_CODES.map((c) => `\\x${c.toString(16).padStart(2, '0')}`).join('')}]|${Object.keys(SEQUENCES).join('|')}`,
);
const MARKS = /\p{Mn}/gu;

/**
 * The skeleton of a label: xn-- decoded to Unicode, NFD, combining marks dropped,
 * each character mapped to its prototype, lower-cased, multi-letter look-alikes
 * (rn, vv, cl) collapsed. Two labels with equal skeletons look alike.
 * Dropping the marks goes beyond UTS #39 on purpose: "agént" must not pass as "agent".
 */
export function skeleton(label: string): string {
  let s = label;
  if (s.includes('xn--')) s = domainToUnicode(s) || s;
  let out = '';
  if (!NON_ASCII.test(s)) {
    if (!ASCII_MAPPED.test(s)) return s; // the common case: nothing to map
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out += ASCII_MAP[c];
    }
  } else {
    for (const ch of s.normalize('NFD').replace(MARKS, '')) out += PROTOTYPE.get(ch) ?? ch.toLowerCase();
    out = out.normalize('NFD');
  }
  return out.includes('rn') || out.includes('vv') || out.includes('cl') ? out.replace(SEQ_RE, seq) : out;
}

/** True when a and b are at most one edit apart (optimal string alignment distance). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : b.slice(i + 1) === a.slice(i);
}

// FNV-1a over the string with position `skip` left out, then an avalanche step so the
// low bits (the table slot) are well mixed. Collisions only cost a wasted candidate.
function hashSkipping(s: string, skip: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    if (i === skip) continue;
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const EMPTY = -1;
const GONE = -2;

/**
 * Open-addressing multimap from a 32-bit hash to ids, in typed arrays: the delete
 * variants of every short name in a million-name zone would cost gigabytes as Map
 * entries of strings, and about 8 bytes a slot here.
 */
class HashMultimap {
  private keys = new Uint32Array(1024);
  private vals = new Int32Array(1024).fill(EMPTY);
  private used = 0; // live + GONE slots
  size = 0;

  add(h: number, id: number): void {
    if ((this.used + 1) * 10 > this.vals.length * 7) this.rehash();
    const mask = this.vals.length - 1;
    let i = h & mask;
    while (this.vals[i] >= 0) i = (i + 1) & mask;
    if (this.vals[i] === EMPTY) this.used++;
    this.keys[i] = h;
    this.vals[i] = id;
    this.size++;
  }

  remove(h: number, id: number): void {
    const mask = this.vals.length - 1;
    for (let i = h & mask; this.vals[i] !== EMPTY; i = (i + 1) & mask) {
      if (this.vals[i] === id && this.keys[i] === h) {
        this.vals[i] = GONE;
        this.size--;
        return;
      }
    }
  }

  /** Appends every id stored under h to out. */
  collect(h: number, out: number[]): void {
    const mask = this.vals.length - 1;
    for (let i = h & mask; this.vals[i] !== EMPTY; i = (i + 1) & mask) {
      if (this.vals[i] >= 0 && this.keys[i] === h) out.push(this.vals[i]);
    }
  }

  get bytes(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  private rehash(): void {
    const { keys, vals } = this;
    let cap = this.vals.length;
    while (this.size * 2 >= cap) cap *= 2; // live entries at most half full afterwards
    if (cap === this.vals.length && this.used - this.size < this.size) cap *= 2;
    this.keys = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < vals.length; i++) if (vals[i] >= 0) this.add(keys[i], vals[i]);
  }
}

export class ConfusableIndex {
  private labels: (string | undefined)[] = [];
  private free: number[] = [];
  private bySkeleton = new Map<string, number | number[]>();
  // Short skeletons only: hash of the whole skeleton, and of each one-deleted variant.
  private whole = new HashMultimap();
  private deletes = new HashMultimap();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held by the two hash indexes (typed arrays; the Map and labels come on top). */
  get hashIndexBytes(): number {
    return this.whole.bytes + this.deletes.bytes;
  }

  has(label: string): boolean {
    return this.idOf(label, skeleton(label)) !== undefined;
  }

  /** Adds a label; adding one already present is a no-op. */
  add(label: string): void {
    const s = skeleton(label);
    if (this.idOf(label, s) !== undefined) return;
    const id = this.free.pop() ?? this.labels.length;
    this.labels[id] = label;
    const ids = this.bySkeleton.get(s);
    if (ids === undefined) this.bySkeleton.set(s, id);
    else if (typeof ids === 'number') this.bySkeleton.set(s, [ids, id]);
    else ids.push(id);
    if (s.length <= SHORT_NAME_MAX) {
      this.whole.add(hashSkipping(s, -1), id);
      for (let i = 0; i < s.length; i++) if (!repeats(s, i)) this.deletes.add(hashSkipping(s, i), id);
    }
    this.count++;
  }

  remove(label: string): void {
    const s = skeleton(label);
    const id = this.idOf(label, s);
    if (id === undefined) return;
    const ids = this.bySkeleton.get(s)!;
    if (typeof ids === 'number') this.bySkeleton.delete(s);
    else {
      ids.splice(ids.indexOf(id), 1);
      if (ids.length === 1) this.bySkeleton.set(s, ids[0]);
    }
    if (s.length <= SHORT_NAME_MAX) {
      this.whole.remove(hashSkipping(s, -1), id);
      for (let i = 0; i < s.length; i++) if (!repeats(s, i)) this.deletes.remove(hashSkipping(s, i), id);
    }
    this.labels[id] = undefined;
    this.free.push(id);
    this.count--;
  }

  /**
   * A different label already in the index that `label` could be mistaken for: same
   * skeleton, or (both short) skeletons one edit apart. Undefined when there is none.
   */
  findConflict(label: string): string | undefined {
    const s = skeleton(label);
    const same = this.otherThan(this.bySkeleton.get(s), label);
    if (same !== undefined) return same;
    if (s.length > SHORT_NAME_MAX) return undefined;

    // Candidates by hash; each is confirmed on its real skeleton, so hash collisions and
    // two-edit pairs that share a delete variant (abc/bca) drop out.
    const candidates: number[] = [];
    this.deletes.collect(hashSkipping(s, -1), candidates); // existing is one longer
    for (let i = 0; i < s.length; i++) {
      if (repeats(s, i)) continue;
      const h = hashSkipping(s, i);
      this.whole.collect(h, candidates); // existing is one shorter
      this.deletes.collect(h, candidates); // same length: substitution or swap
    }
    for (const id of candidates) {
      const other = this.labels[id];
      if (other === undefined || other === label) continue;
      const t = skeleton(other);
      if (t.length <= SHORT_NAME_MAX && withinOneEdit(s, t)) return other;
    }
    return undefined;
  }

  private idOf(label: string, s: string): number | undefined {
    const ids = this.bySkeleton.get(s);
    if (ids === undefined) return undefined;
    if (typeof ids === 'number') return this.labels[ids] === label ? ids : undefined;
    return ids.find((id) => this.labels[id] === label);
  }

  private otherThan(ids: number | number[] | undefined, label: string): string | undefined {
    if (ids === undefined) return undefined;
    if (typeof ids === 'number') return this.labels[ids] !== label ? this.labels[ids] : undefined;
    for (const id of ids) if (this.labels[id] !== label) return this.labels[id];
    return undefined;
  }
}

/** Deleting s[i] gives the same variant as deleting s[i-1]: skip the duplicate. */
const repeats = (s: string, i: number): boolean => i > 0 && s.charCodeAt(i) === s.charCodeAt(i - 1);

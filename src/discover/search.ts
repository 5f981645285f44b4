// The one search every discoverable index answers (SearchIndex): the zone's own store
// (src/store/zone-store.ts) and the subtree index of a parent (src/federation/subtree).
// A query matches an entry when it is one of the entry's capability tokens exactly, or
// when every word of it is one of the entry's keywords (tokens.ts). The work follows the
// number of matches, not the index: posting lists are intersected starting from the
// smallest, and only the best `limit` matches are kept and decoded (top-k), so a broad
// query costs one pass over its list. Ties in order are broken by the index's key
// (`nameAt`: a zone store's label, a subtree index's FQID).
import { StewardError } from '../errors/index.js';
import { INSIDE, visibleTo, type Audience } from '../records/visibility.js';
import { gallop } from '../store/postings.js';
import { words } from '../store/tokens.js';
import type { DiscoverResult, DiscoverSort } from './types.js';

export type LocalResult = Omit<DiscoverResult, 'registry' | 'latency_ms'>;

/** Token → sorted slots, as src/store/postings.ts keeps them. */
export interface PostingLists {
  slots(token: string): Uint32Array;
  count(token: string): number;
}

/** What search() needs of an index: its two posting lists and slot-level reads. */
export interface SearchIndex {
  readonly capabilities: PostingLists;
  readonly keywords: PostingLists;
  /** The slot's key: ties in order are broken by it. */
  nameAt(slot: number): string;
  trustAt(slot: number): number;
  /** undefined: the slot holds nothing live. */
  visibilityAt(slot: number): string | undefined;
  resultAt(slot: number): LocalResult;
}

export interface LocalQuery {
  q: string;
  /** Who asks (src/records/visibility.ts); default inside (the zone's own view). */
  audience?: Audience;
  sort?: DiscoverSort;
  limit?: number;
}

export const MAX_LIMIT = 100;
const MAX_QUERY = 256;
const SORTS: readonly DiscoverSort[] = ['trust', 'name', 'latency'];

/** Checks the query (BAD_REQUEST saying what is wrong); returns it normalised. */
export function checkQuery({ q, sort = 'trust', limit = 20 }: LocalQuery): { query: string; sort: DiscoverSort; limit: number } {
  const query = typeof q === 'string' ? q.trim().toLowerCase() : '';
  if (!query) throw new StewardError('BAD_REQUEST', 'q (the capability or keywords to look for) is required');
  if (query.length > MAX_QUERY) throw new StewardError('BAD_REQUEST', `q is longer than ${MAX_QUERY} characters`);
  if (!SORTS.includes(sort)) throw new StewardError('BAD_REQUEST', `sort must be one of ${SORTS.join(', ')}, got ${JSON.stringify(sort)}`);
  if (!Number.isInteger(limit) || limit < 1) throw new StewardError('BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return { query, sort, limit: Math.min(limit, MAX_LIMIT) };
}

/** The best `limit` matches of the query in one index, as `audience` may see them. */
export function search(store: SearchIndex, q: LocalQuery): LocalResult[] {
  const { query, sort, limit } = checkQuery(q);
  const audience = q.audience ?? INSIDE;
  const top = new TopK(store, sort, limit);
  const byCapability = store.capabilities.slots(query);
  const byKeywords = keywordMatches(store, words(query));
  // Both lists are sorted: walk them together so an agent matching both counts once.
  let i = 0;
  let j = 0;
  while (i < byCapability.length || j < byKeywords.length) {
    const a = i < byCapability.length ? byCapability[i]! : Infinity;
    const b = j < byKeywords.length ? byKeywords[j]! : Infinity;
    const slot = Math.min(a, b);
    if (a === slot) i++;
    if (b === slot) j++;
    const visibility = store.visibilityAt(slot);
    if (visibility !== undefined && visibleTo({ visibility }, audience)) top.offer(slot);
  }
  return top.slots().map((slot) => store.resultAt(slot));
}

/** Slots holding every word, ascending. */
function keywordMatches(store: SearchIndex, terms: string[]): ArrayLike<number> {
  if (terms.length === 0) return [];
  const lists = [...new Set(terms)].map((t) => store.keywords.slots(t)).sort((x, y) => x.length - y.length);
  const [smallest, ...others] = lists as [Uint32Array, ...Uint32Array[]];
  if (others.length === 0 || smallest.length === 0) return smallest;
  const out: number[] = [];
  const at = new Array<number>(others.length).fill(0);
  outer: for (const slot of smallest) {
    for (let k = 0; k < others.length; k++) {
      const list = others[k]!;
      const pos = gallop(list, slot, at[k]!);
      at[k] = pos;
      if (pos >= list.length) break outer; // a longer list ran out: nothing further can match
      if (list[pos] !== slot) continue outer;
    }
    out.push(slot);
  }
  return out;
}

/**
 * The best `k` slots seen so far, best first. Most offers lose to the current worst and
 * cost one comparison, which keeps a broad query a single cheap pass.
 */
class TopK {
  private readonly best: number[] = [];
  private readonly before: (a: number, b: number) => boolean;

  constructor(store: SearchIndex, sort: DiscoverSort, private readonly k: number) {
    const byName = (a: number, b: number) => store.nameAt(a) < store.nameAt(b);
    // Every local result has the same latency (none), so `latency` falls back to trust.
    this.before = sort === 'name' ? byName : (a, b) => {
      const ta = store.trustAt(a);
      const tb = store.trustAt(b);
      return ta > tb || (ta === tb && byName(a, b));
    };
  }

  offer(slot: number): void {
    const { best, k } = this;
    if (best.length === k && !this.before(slot, best[k - 1]!)) return;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(slot, best[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    best.splice(lo, 0, slot);
    if (best.length > k) best.pop();
  }

  slots(): number[] {
    return this.best;
  }
}

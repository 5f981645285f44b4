// Discover at this registry (scope `local`): the zone's own store and, at a parent or the
// root, the subtree index of the references its children pushed up (SPEC §6), each
// answering the one search of search.ts; their best matches are merged in the same order
// (trust, then name; or name) and deduplicated by id. visibleTo() is applied inside each
// search (internal records show only to an inside audience; a subtree index holds none).
import type { DiscoverSort } from './types.js';
import { checkQuery, search, type LocalQuery, type LocalResult, type SearchIndex } from './search.js';

export { MAX_LIMIT, type LocalQuery, type LocalResult, type SearchIndex } from './search.js';

export function discoverLocal(indexes: SearchIndex | readonly SearchIndex[], q: LocalQuery): LocalResult[] {
  const list = Array.isArray(indexes) ? indexes : [indexes as SearchIndex];
  if (list.length === 1) return search(list[0]!, q);
  const { sort, limit } = checkQuery(q);
  const seen = new Set<string>();
  const rows: LocalResult[] = [];
  for (const index of list) {
    for (const r of search(index, q)) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      rows.push(r);
    }
  }
  return rows.sort(order(sort)).slice(0, limit);
}

function order(sort: DiscoverSort): (a: LocalResult, b: LocalResult) => number {
  const byName = (a: LocalResult, b: LocalResult) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return sort === 'name' ? byName : (a, b) => b.trust - a.trust || byName(a, b);
}

// One integer cursor (`since`, `next`, `serial` of GET /v1/sync) over two logs: the zone's
// own store and its subtree index, each with its own contiguous seqs. A page serves the
// own changes after the cursor's own part first, then (once those are all served) the
// subtree's after its part, so the cursor is the pair (own, sub), written as
//     sub × 2^24 + own          (own < 2^24 while the index holds anything)
// Both parts only rise, so the numbers only rise too: every entry's seq is the cursor
// just after it, a puller resumes with since = the last seq it applied (or `next`), and
// it is caught up when next = serial. A zone with no subtree references (a leaf) has
// cursor = own seq, unbounded, exactly as before the index existed.
import { StewardError } from '../../errors/index.js';

export const OWN_SPAN = 2 ** 24;

export interface Cursor { own: number; sub: number }

/** The pair a `since` stands for, given the index's serial (0: the index is empty). */
export function splitCursor(since: number, subSerial: number): Cursor {
  if (subSerial === 0) return { own: since, sub: 0 };
  return { own: since % OWN_SPAN, sub: Math.floor(since / OWN_SPAN) };
}

export function joinCursor(c: Cursor): number {
  if (c.sub === 0) return c.own;
  if (c.own >= OWN_SPAN) {
    throw new StewardError('UNAVAILABLE', `the sync cursor cannot hold own seq ${c.own} beside subtree references (own seqs above ${OWN_SPAN} at a parent)`);
  }
  return c.sub * OWN_SPAN + c.own;
}

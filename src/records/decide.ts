// The conflict rule of SPEC §6, pure: when two versions of one name meet (a local write,
// a replica's write, in any order), which one the zone keeps. The clock that dominates
// wins (the write that saw the other); concurrent writes are ordered by version, then
// published_at, then digest, and, for versions equal in all three, by fields that make
// the choice total, so every replica picks the same winner whatever the arrival order.
// Wall clocks only break ties between writes that never saw each other: a replica whose
// clock is off can never beat a write that causally followed its own.
import semver from 'semver';
import type { AgentRecord, VectorClock } from './types.js';

/** One state of a name: a live record, or the tombstone of an unpublish. */
export interface Version {
  op: 'put' | 'delete';
  record: AgentRecord;
}

export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent';

/** How clock `a` stands to `b` (a missing replica id counts as 0). */
export function compareClocks(a: VectorClock, b: VectorClock): ClockOrder {
  let less = false;
  let more = false;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x < y) less = true;
    else if (x > y) more = true;
    if (less && more) return 'concurrent';
  }
  return less ? 'before' : more ? 'after' : 'equal';
}

/** The clock that has seen both (entry-wise maximum), keys sorted so equal clocks look equal. */
export function mergeClocks(a: VectorClock, b: VectorClock): VectorClock {
  const out: VectorClock = {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) out[k] = Math.max(a[k] ?? 0, b[k] ?? 0);
  return out;
}

/** `clock` advanced by one write at `replicaId`. */
export function tickClock(clock: VectorClock, replicaId: string): VectorClock {
  const out = mergeClocks(clock, {});
  out[replicaId] = (out[replicaId] ?? 0) + 1;
  return mergeClocks(out, {});
}

export type DecideReason = 'first' | 'same' | 'dominates' | 'version' | 'published_at' | 'digest' | 'tiebreak';

export interface Decision {
  winner: 'current' | 'incoming';
  /** What settled it; for 'version' and after, the clocks were concurrent (a conflict). */
  reason: DecideReason;
  /** The two were concurrent writes: the loser is a conflict (audited, counted). */
  conflict: boolean;
}

const cmp = (x: number | string, y: number | string) => (x < y ? -1 : x > y ? 1 : 0);

/** Positive when `a` wins the concurrent order of §6, negative when `b` does; 0 only for equal versions. */
function concurrentOrder(a: Version, b: Version): { order: number; reason: DecideReason } {
  const v = semver.valid(a.record.version) && semver.valid(b.record.version) ? semver.compare(a.record.version, b.record.version) : cmp(a.record.version, b.record.version);
  if (v) return { order: v, reason: 'version' };
  const ta = Date.parse(a.record.published_at);
  const tb = Date.parse(b.record.published_at);
  const t = cmp(Number.isFinite(ta) ? ta : 0, Number.isFinite(tb) ? tb : 0);
  if (t) return { order: t, reason: 'published_at' };
  const d = cmp(a.record.digest, b.record.digest);
  if (d) return { order: d, reason: 'digest' };
  // Same manifest, same moment: an unpublish over a put, then any difference at all.
  const rest = cmp(b.op, a.op) || cmp(a.record.fingerprint, b.record.fingerprint) || cmp(a.record.jws, b.record.jws) || cmp(a.record.trust, b.record.trust)
    || cmp(JSON.stringify(mergeClocks(a.record.vector_clock, {})), JSON.stringify(mergeClocks(b.record.vector_clock, {})));
  return { order: rest, reason: 'tiebreak' };
}

/** Which of two versions of one name the zone keeps (SPEC §6 "Conflicts"). Pure. */
export function decide(current: Version | undefined, incoming: Version): Decision {
  if (!current) return { winner: 'incoming', reason: 'first', conflict: false };
  const order = compareClocks(incoming.record.vector_clock, current.record.vector_clock);
  if (order === 'after') return { winner: 'incoming', reason: 'dominates', conflict: false };
  if (order === 'before') return { winner: 'current', reason: 'dominates', conflict: false };
  const { order: o, reason } = concurrentOrder(incoming, current);
  if (o === 0) return { winner: 'current', reason: 'same', conflict: false };
  // Equal clocks with different contents cannot come from a correct replica; still ordered the same everywhere.
  // The same manifest written at two replicas (a seed agent, a publish retried at another
  // replica) is not a conflict: no one's write is lost.
  const sameWrite = incoming.op === current.op && incoming.record.version === current.record.version && incoming.record.digest === current.record.digest && incoming.record.fingerprint === current.record.fingerprint;
  return { winner: o > 0 ? 'incoming' : 'current', reason, conflict: order === 'concurrent' && !sameWrite };
}

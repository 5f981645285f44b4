// The one writer of a zone's store. Every change of a name (a local publish or
// unpublish, a write another replica of the zone sends) runs in that name's queue, one
// at a time, so no check-then-write can interleave with another. Local writes stamp the
// name's vector clock (its last clock, live or tombstone, advanced at this replica);
// replicated writes are settled by decide() (src/records/decide.ts) against what the
// name holds, and the kept version is stored with both clocks merged, so the next
// write here dominates everything this replica has seen of the name.
import semver from 'semver';
import { StewardError } from '../errors/index.js';
import { compareClocks, decide, mergeClocks, tickClock, type Decision, type Version } from '../records/decide.js';
import type { AgentRecord } from '../records/types.js';
import type { ChangeEntry, ZoneStore } from './zone-store.js';

export interface Conflict {
  name: string;
  winner: Version;
  loser: Version;
  reason: Decision['reason'];
  /** The replica the other write came from. */
  from: string;
}

export interface ReplicatedOutcome extends Decision {
  /** The store changed (the incoming version, or the kept one with the merged clock). */
  applied: boolean;
}

export class ZoneWriter {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly conflictListeners: ((c: Conflict) => void)[] = [];
  /** Local writes made since start (partition detection: "while taking writes"). */
  localWrites = 0;

  constructor(
    private readonly store: ZoneStore,
    readonly replicaId: string,
  ) {}

  /** Hears every conflict a replicated write settles (the loser is kept in the audit log). */
  onConflict(fn: (c: Conflict) => void): void {
    this.conflictListeners.push(fn);
  }

  /** What the name holds: its live record or its tombstone. */
  state(label: string): Version | undefined {
    const live = this.store.get(label);
    if (live) return { op: 'put', record: live };
    const gone = this.store.deleted(label);
    return gone ? { op: 'delete', record: gone } : undefined;
  }

  /** A local publish (call inside serial(name)): stored with the name's clock advanced here. */
  putLocal(record: AgentRecord): Promise<ChangeEntry> {
    const before = this.state(record.name)?.record.vector_clock ?? {};
    this.localWrites++;
    const { tombstone: _, ...live } = record; // a live record has no unpublish
    return this.store.put({ ...live, vector_clock: tickClock(before, this.replicaId) });
  }

  /**
   * A local unpublish (inside serial(label)): the tombstone carries the time of the
   * unpublish, an advanced clock and `unpublish`, the signed request (already checked
   * against the record: same key, same version), kept so pushes and pulls can send it.
   */
  async removeLocal(label: string, now: Date, unpublish?: string): Promise<ChangeEntry | undefined> {
    const current = this.store.get(label);
    if (!current) return undefined;
    this.localWrites++;
    const { tombstone: _, ...record } = current;
    return this.store.tombstone({
      ...record, published_at: now.toISOString(), vector_clock: tickClock(current.vector_clock, this.replicaId),
      ...(unpublish !== undefined ? { tombstone: unpublish } : {}),
    });
  }

  /** A write from another replica of the zone, already validated (src/federation/replicas/validate.ts). */
  replicated(incoming: Version, from: string): Promise<ReplicatedOutcome> {
    const name = incoming.record.name;
    return this.serial(name, async () => {
      const current = this.state(name);
      const d = decide(current, incoming);
      if (current && d.reason === 'dominates' && d.winner === 'incoming' && semver.lt(incoming.record.version, current.record.version)) {
        // A write that saw this version cannot have gone back below it (SPEC §2: rising versions).
        throw new StewardError('VERSION_NOT_RISING', `${incoming.record.id}: replica ${from} sent version ${incoming.record.version} over ${current.record.version}`);
      }
      if (d.reason === 'same' || (d.winner === 'current' && d.reason === 'dominates')) return { ...d, applied: false };
      const winner = d.winner === 'incoming' ? incoming : current!;
      if (d.conflict) {
        const loser = d.winner === 'incoming' ? current! : incoming;
        for (const fn of this.conflictListeners) fn({ name, winner, loser, reason: d.reason, from });
      }
      const clock = mergeClocks(current?.record.vector_clock ?? {}, incoming.record.vector_clock);
      if (d.winner === 'current' && compareClocks(clock, current!.record.vector_clock) === 'equal') return { ...d, applied: false };
      // A put never keeps an unpublish; a delete keeps the one its winner carries (if any).
      const { tombstone, ...kept } = winner.record;
      const record = winner.op === 'delete' && tombstone !== undefined ? { ...kept, tombstone, vector_clock: clock } : { ...kept, vector_clock: clock };
      await (winner.op === 'put' ? this.store.put(record) : this.store.tombstone(record));
      return { ...d, applied: true };
    });
  }

  /** Runs fn after every earlier change of the same label has settled. */
  serial<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const before = this.inflight.get(label) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.inflight.set(label, tail);
    tail.then(() => {
      if (this.inflight.get(label) === tail) this.inflight.delete(label);
    });
    return run;
  }
}

// The subtree's entries in GET /v1/sync (SPEC §6 `{seq, op, record | ref}`), and the way
// back for a puller. A put is `{seq, op:"put", ref}`; a delete also carries what its
// receiver needs to check it, as a push would: `{seq, op:"delete", id, version,
// tombstone, ref}` (`ref`: the reference as it was). The zone's own records come as
// `{seq, op, record}`; a delete of one whose signed unpublish the store kept (every
// unpublish since it keeps them, AgentRecord.tombstone) also carries it the same way:
// `{seq, op:"delete", id, version, tombstone, record}`, so a pull repairs a lost push.
import { referenceOf } from '../push/outgoing.js';
import type { PushEntry } from '../push/entries.js';
import type { AgentRecord } from '../../records/types.js';
import type { ChangeEntry } from '../../store/zone-store.js';
import type { RefChange } from './index.js';

/** The wire form of one change of the zone's own (public) records at sync seq `seq`. */
export function syncOwnEntry(seq: number, change: ChangeEntry): Record<string, unknown> {
  if (change.op === 'put' || typeof change.record.tombstone !== 'string') return { seq, op: change.op, record: change.record };
  const { tombstone, ...record } = change.record;
  return { seq, op: 'delete', id: record.id, version: record.version, tombstone, record };
}

/** The wire form of one subtree change at sync seq `seq`. */
export function syncRefEntry(seq: number, change: RefChange): Record<string, unknown> {
  const { tombstone, ...ref } = change.record;
  if (change.op === 'put') return { seq, op: 'put', ref };
  return { seq, op: 'delete', id: ref.id, version: ref.version, tombstone, ref };
}

/**
 * What a puller hands to checkPushEntries (then SubtreeIndex.apply) for one sync entry, or
 * undefined when it carries nothing to check (a delete without a tombstone — an own one
 * stored before tombstones were kept —, an internal record, a malformed entry). A delete,
 * own or of the subtree, becomes the push delete entry `{op, id, version, tombstone}`,
 * checked exactly as a pushed one. Hostile input: only the fields named are read.
 */
export function pushEntryOfSync(e: unknown): unknown | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const x = e as Record<string, unknown>;
  if (x.op === 'put' && x.ref && typeof x.ref === 'object') return { op: 'put', ref: x.ref };
  if (x.op === 'put' && x.record && typeof x.record === 'object') {
    try {
      const ref = referenceOf(x.record as AgentRecord);
      return ref && ({ op: 'put', ref } satisfies PushEntry);
    } catch {
      return undefined; // not shaped like a record
    }
  }
  if (x.op === 'delete' && typeof x.tombstone === 'string') return { op: 'delete', id: x.id, version: x.version, tombstone: x.tombstone };
  return undefined;
}

// What a zone sends up the tree (SPEC §6 push): for each change of its store, the push
// entry — or nothing, when the record may not leave the zone. visibleTo(record, REGISTRY)
// decides (src/records/visibility.ts): an internal record is never sent, neither its
// puts nor its deletes (its parent never had it). The receiving side refuses internal
// entries by the same rule (entries.ts), so a sender that got this wrong still leaks nothing.
import type { AgentRecord } from '../../records/types.js';
import { REGISTRY, visibleTo } from '../../records/visibility.js';
import type { ChangeEntry } from '../../store/zone-store.js';
import type { PushEntry, Reference } from './entries.js';

/** The §6 reference of a record, or undefined when the record never leaves its zone. */
export function referenceOf(record: AgentRecord, manifestUrl?: string): Reference | undefined {
  if (!visibleTo(record, REGISTRY)) return undefined;
  return {
    id: record.id, namespace: record.namespace, zone: record.zone, name: record.name, version: record.version,
    ...(record.description ? { description: record.description } : {}),
    capabilities: [...record.capabilities], tags: [...(record.tags ?? [])], trust: record.trust, digest: record.digest,
    fingerprint: record.fingerprint, published_at: record.published_at, vector_clock: { ...record.vector_clock },
    ...(manifestUrl ? { manifest_url: manifestUrl } : {}), jws: record.jws,
  };
}

/**
 * The push entry for one store change, or undefined when it may not leave the zone. A
 * delete needs the signed unpublish that the receiver verifies: `tombstone` when given,
 * else the one the store keeps with the deleted record (AgentRecord.tombstone, signed by
 * the record's own key: prepareUnpublish insists on it); without one there is nothing to send.
 */
export function pushEntryFor(change: ChangeEntry, tombstone?: { jws: string; fingerprint: string }): PushEntry | undefined {
  if (!visibleTo(change.record, REGISTRY)) return undefined;
  if (change.op === 'put') {
    const ref = referenceOf(change.record);
    return ref && { op: 'put', ref };
  }
  tombstone ??= unpublishOf(change.record);
  if (!tombstone) return undefined;
  return { op: 'delete', id: change.record.id, version: change.record.version, tombstone: tombstone.jws, fingerprint: tombstone.fingerprint };
}

/** The entries of a batch of changes that may leave the zone (puts; deletes with their tombstones). */
export function pushEntries(changes: readonly ChangeEntry[], tombstones: ReadonlyMap<number, { jws: string; fingerprint: string }> = new Map()): PushEntry[] {
  const out: PushEntry[] = [];
  for (const c of changes) {
    const e = pushEntryFor(c, tombstones.get(c.seq));
    if (e) out.push(e);
  }
  return out;
}

/** The signed unpublish kept with a deleted record, as a push delete entry needs it. */
export function unpublishOf(record: AgentRecord): { jws: string; fingerprint: string } | undefined {
  return typeof record.tombstone === 'string' ? { jws: record.tombstone, fingerprint: record.fingerprint } : undefined;
}

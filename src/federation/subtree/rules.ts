// What applying one checked push entry (federation/push/entries.ts) does to the subtree
// index, decided against what the index already holds for that id (SPEC §2, §6):
//   put     new id → stored. Same version and digest as held (live, or what a delete
//           removed) → duplicate. Another key → KEY_MISMATCH. Version not above the
//           held one → VERSION_NOT_RISING (a tombstone's version is never reused).
//   delete  held live, same key, tombstone version >= the held one → removed (kept as a
//           tombstone with the signed unpublish). Already deleted by that key at that
//           version or later, or an id never held → duplicate (nothing to remove); a
//           later version than the tombstone held moves the tombstone up.
//           Another key → KEY_MISMATCH; an older version → VERSION_MISMATCH.
import semver from 'semver';
import type { PushEntry } from '../push/entries.js';
import type { StoredRef } from './ref-codec.js';

export type Decision =
  | { kind: 'put'; value: StoredRef }
  | { kind: 'delete'; value: StoredRef }
  | { kind: 'duplicate' }
  | { kind: 'reject'; code: 'KEY_MISMATCH' | 'VERSION_NOT_RISING' | 'VERSION_MISMATCH'; detail: string };

const keyMismatch = (id: string, held: string, got: string): Decision =>
  ({ kind: 'reject', code: 'KEY_MISMATCH', detail: `${id} is held for key ${held}; this entry is signed by key ${got}` });

export function decide(live: StoredRef | undefined, deleted: StoredRef | undefined, entry: PushEntry): Decision {
  if (entry.op === 'put') {
    const ref = entry.ref;
    const held = live ?? deleted;
    if (!held) return { kind: 'put', value: ref };
    if (held.version === ref.version && held.digest === ref.digest && held.fingerprint === ref.fingerprint) return { kind: 'duplicate' };
    if (held.fingerprint !== ref.fingerprint) return keyMismatch(ref.id, held.fingerprint, ref.fingerprint);
    if (!semver.gt(ref.version, held.version)) {
      const was = live ? 'is at' : 'was deleted at';
      return { kind: 'reject', code: 'VERSION_NOT_RISING', detail: `${ref.id} ${was} version ${held.version}; version ${ref.version} is not greater` };
    }
    return { kind: 'put', value: ref };
  }
  if (live) {
    if (live.fingerprint !== entry.fingerprint) return keyMismatch(entry.id, live.fingerprint, entry.fingerprint);
    if (semver.lt(entry.version, live.version)) {
      return { kind: 'reject', code: 'VERSION_MISMATCH', detail: `${entry.id} is at version ${live.version}; the tombstone names the older ${entry.version}` };
    }
    return { kind: 'delete', value: { ...live, version: entry.version, tombstone: entry.tombstone } };
  }
  if (!deleted) return { kind: 'duplicate' };
  if (deleted.fingerprint !== entry.fingerprint) return keyMismatch(entry.id, deleted.fingerprint, entry.fingerprint);
  // A later version deleted (its put never reached us): the tombstone moves up with it.
  if (semver.gt(entry.version, deleted.version)) return { kind: 'delete', value: { ...deleted, version: entry.version, tombstone: entry.tombstone } };
  return { kind: 'duplicate' };
}

// Names per key: how many live names each publisher key holds in the zone, kept from the
// store's change feed (so names that arrive by replication count too), with the names
// being published right now reserved, so concurrent new names by one key cannot overshoot.
// Cost: one label → fingerprint entry per live name (fingerprints shared), counted once
// at start.
import type { ZoneStore } from '../store/zone-store.js';

export class NameCounts {
  private readonly owner = new Map<string, string>();
  private readonly held = new Map<string, number>();
  private readonly pending = new Map<string, Set<string>>();
  private readonly fingerprints = new Map<string, string>();

  constructor(store: ZoneStore) {
    for (const label of store.labels()) {
      const r = store.get(label);
      if (r) this.hold(label, r.fingerprint);
    }
    store.onChange((e) => {
      const label = e.record.name;
      if (e.op === 'put') {
        this.unreserve(e.record.fingerprint, label);
        if (this.owner.get(label) !== e.record.fingerprint) {
          this.drop(label);
          this.hold(label, e.record.fingerprint);
        }
      } else this.drop(label);
    });
  }

  /** Live names of `fingerprint`, counting those being published. */
  count(fingerprint: string): number {
    return (this.held.get(fingerprint) ?? 0) + (this.pending.get(fingerprint)?.size ?? 0);
  }

  /** Reserves `label` for `fingerprint` unless that makes more than `max`; false = over. */
  reserve(fingerprint: string, label: string, max: number): boolean {
    if (this.owner.get(label) === fingerprint || this.pending.get(fingerprint)?.has(label)) return true;
    if (this.count(fingerprint) >= max) return false;
    let set = this.pending.get(fingerprint);
    if (!set) this.pending.set(fingerprint, (set = new Set()));
    set.add(label);
    return true;
  }

  /** Gives a reservation back (the publish failed); harmless once the name is stored. */
  unreserve(fingerprint: string, label: string) {
    const set = this.pending.get(fingerprint);
    if (set?.delete(label) && set.size === 0) this.pending.delete(fingerprint);
  }

  private hold(label: string, fingerprint: string) {
    let fp = this.fingerprints.get(fingerprint);
    if (!fp) this.fingerprints.set(fingerprint, (fp = fingerprint));
    this.owner.set(label, fp);
    this.held.set(fp, (this.held.get(fp) ?? 0) + 1);
  }

  private drop(label: string) {
    const fp = this.owner.get(label);
    if (fp === undefined) return;
    this.owner.delete(label);
    const n = (this.held.get(fp) ?? 1) - 1;
    if (n > 0) this.held.set(fp, n);
    else {
      this.held.delete(fp);
      this.fingerprints.delete(fp);
    }
  }
}

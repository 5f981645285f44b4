// The zone's delegations (SPEC §2: the NS records of this system), read through this one
// interface everywhere: referrals, /v1/zone, the publisher's name-conflict rule, discover.
// The zone file seeds the table at every start (its endpoints may be rewritten, as
// `federation up` does for ephemeral ports); what `register` adds and `revoke` withdraws
// is kept durably in a DurableTable and wins over the zone file, so a withdrawn
// delegation stays withdrawn across restarts even if the zone file still lists it.
import { childLabel } from '../names/index.js';
import type { Delegation } from '../records/types.js';
import { DurableTable } from '../store/table.js';

export interface DelegationEntry extends Delegation {
  state: 'active' | 'withdrawn';
  /** Where it came from: the zone file, or a child's registration. */
  source: 'zonefile' | 'register';
  /** Hex serial of the certificate issued to the child (registered delegations). */
  serial?: string;
  not_after?: string;
  /** SHA-256 of the child key's SPKI: registering again with the same key renews. */
  key_fingerprint?: string;
  updated_at: string;
  reason?: string;
}

export interface DelegationsOptions {
  zone: string;
  seed?: Delegation[];
  dir?: string;
  fsync?: boolean;
}

export class Delegations {
  private readonly seed = new Map<string, DelegationEntry>();
  private readonly listeners: ((zone: string, entry: DelegationEntry | undefined) => void)[] = [];

  private constructor(
    readonly zone: string,
    private readonly table: DurableTable<DelegationEntry>,
    seed: Delegation[],
  ) {
    const at = new Date().toISOString();
    for (const d of seed) this.seed.set(d.zone, { ...d, state: 'active', source: 'zonefile', updated_at: at });
    table.onChange((zone) => {
      const e = this.entry(zone);
      for (const fn of this.listeners) fn(zone, e);
    });
  }

  static async open(opts: DelegationsOptions): Promise<Delegations> {
    const table = await DurableTable.open<DelegationEntry>({ dir: opts.dir, fsync: opts.fsync });
    return new Delegations(opts.zone, table, opts.seed ?? []);
  }

  /** The delegation of `childZone`, if it is active. */
  get(childZone: string): DelegationEntry | undefined {
    const e = this.entry(childZone);
    return e?.state === 'active' ? e : undefined;
  }

  /** The record of `childZone` whatever its state (withdrawn ones too). */
  entry(childZone: string): DelegationEntry | undefined {
    return this.table.get(childZone) ?? this.seed.get(childZone);
  }

  /** Every active delegation, in zone order. */
  list(): DelegationEntry[] {
    const zones = new Set([...this.seed.keys(), ...[...this.table.entries()].map(([k]) => k)]);
    return [...zones].sort().map((z) => this.get(z)).filter((e): e is DelegationEntry => !!e);
  }

  /** Labels of the active child zones directly below this zone. */
  labels(): string[] {
    return this.list().map((d) => childLabel(d.zone, this.zone)!).filter(Boolean);
  }

  /** Adds or replaces (renewal) a delegation; resolves once it is durable. */
  put(d: Delegation & Partial<DelegationEntry>): Promise<void> {
    return this.table.put(d.zone, { ...d, state: 'active', source: d.source ?? 'register', updated_at: new Date().toISOString() });
  }

  /** Withdraws a delegation (revocation); it stays withdrawn across restarts. */
  async withdraw(childZone: string, reason: string): Promise<DelegationEntry | undefined> {
    const e = this.entry(childZone);
    if (!e) return undefined;
    const next: DelegationEntry = { ...e, state: 'withdrawn', reason, updated_at: new Date().toISOString() };
    await this.table.put(childZone, next);
    return next;
  }

  /** Called after every durable change (entry undefined: never existed). */
  onChange(fn: (zone: string, entry: DelegationEntry | undefined) => void): void {
    this.listeners.push(fn);
  }

  close(): Promise<void> {
    return this.table.close();
  }
}

// Publish and unpublish for one zone: the records rules (src/records) applied against the
// live store, with the races closed. Signature checks run in parallel; per name, changes
// are serialised; a new name reserves its confusable skeleton synchronously, so two
// confusable names published at the same moment cannot both get in. Changes go through
// the zone's one writer (src/store/writer.ts), which owns the per-name queues and the
// vector clocks and also applies what the zone's other replicas send.
import { StewardError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';
import { childLabel } from '../names/index.js';
import { ConfusableIndex } from '../records/confusable.js';
import { prepareUnpublish, preparePublish } from '../records/publish.js';
import type { AgentRecord } from '../records/types.js';
import type { Quota } from '../quota/index.js';
import type { ZoneStore } from '../store/zone-store.js';
import { ZoneWriter } from '../store/writer.js';
import type { Delegations } from '../topology/delegations.js';
import type { ZoneConfig } from '../zonefile/index.js';

export class Publisher {
  private readonly confusables = new ConfusableIndex();
  /** The zone's one writer: per-name queues, vector clocks, replicated writes (decide()). */
  readonly writer: ZoneWriter;
  /** Keys the zone vouches for (zone policy `verified`, and its own seed key): a trust signal. */
  private readonly verified: Set<string>;
  /** Earliest publish seen per key (lower bound; see history()). */
  private readonly keySeen = new Map<string, string>();
  /**
   * When the key holding a name first published it, for names bumped since this node
   * started (ms). One number per live name at most, dropped when the name goes; for any
   * other name the hold began no later than its current version's published_at.
   */
  private readonly heldSince = new Map<string, number>();

  constructor(
    private readonly config: ZoneConfig,
    private readonly store: ZoneStore,
    private readonly metrics: Metrics,
    private readonly replicaId: string,
    private readonly delegations: Delegations,
    /** Per-key limits for changes that come over the network (src/quota). */
    private readonly quota?: Quota,
    /** The time a publish happens at (tests move it). */
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.writer = new ZoneWriter(store, replicaId);
    this.verified = new Set(config.policy.verified);
    for (const label of store.labels()) this.confusables.add(label);
    // Child zones' labels count too: an agent "0penai" next to a delegated "openai" misleads.
    for (const label of delegations.labels()) this.confusables.add(label);
    store.onChange((e) => {
      if (e.op === 'put') this.confusables.add(e.record.name);
      else {
        this.heldSince.delete(e.record.name);
        if (!this.isDelegated(e.record.name)) this.confusables.remove(e.record.name);
      }
    });
    delegations.onChange((zone, entry) => {
      const label = childLabel(zone, config.zone);
      if (!label) return;
      if (entry?.state === 'active') this.confusables.add(label);
      else if (!store.get(label)) this.confusables.remove(label);
    });
  }

  /** `label` is an active child zone of this zone. */
  isDelegated(label: string): boolean {
    return !!this.delegations.get(`${label}.${this.config.zone}`);
  }

  /** The confusable index of agent and child-zone labels (register checks namespaces against it). */
  confusableWith(label: string): string | undefined {
    return this.confusables.findConflict(label);
  }

  /** The zone vouches for this publisher key (e.g. the key it signs its own seed agents with). */
  vouchFor(fingerprint: string) {
    this.verified.add(fingerprint);
  }

  /** `from`: the client a network request came from; such changes count against quotas. */
  async publish(jws: string, opts: { from?: string } = {}): Promise<AgentRecord> {
    try {
      const label = peekName(jws);
      const record = await this.serial(label, () => this.publishNow(jws, opts.from !== undefined));
      this.metrics.publishes.inc({ outcome: 'ok' });
      return record;
    } catch (err) {
      this.metrics.publishes.inc({ outcome: err instanceof StewardError ? err.code.toLowerCase() : 'error' });
      throw err;
    }
  }

  async unpublish(label: string, jws: string, opts: { from?: string } = {}): Promise<{ id: string; seq: number }> {
    return this.serial(label, async () => {
      const { zone, namespace } = this.config;
      const { record } = await prepareUnpublish({ jws, zone, namespace, label, current: (l) => this.store.get(l) });
      if (opts.from !== undefined) await this.quota?.publishPerKey(record.fingerprint);
      // The signed request is kept with the tombstone: the push and the pull send it up (SPEC §6).
      const entry = await this.writer.removeLocal(label, this.clock(), jws);
      return { id: record.id, seq: entry?.seq ?? this.store.serial };
    });
  }

  private async publishNow(jws: string, limited: boolean): Promise<AgentRecord> {
    const { config, store } = this;
    const record = await preparePublish({
      jws,
      zone: config.zone,
      namespace: config.namespace,
      replicaId: this.replicaId,
      now: this.clock(),
      current: (l) => store.get(l),
      unpublished: (l) => store.deleted(l),
      confusables: this.confusables,
      policy: {
        allowedFingerprints: config.policy.publishers === 'any' ? undefined : config.policy.publishers,
        verifiedFingerprints: [...this.verified],
      },
      history: this.history(),
    });
    if (this.isDelegated(record.name)) {
      throw new StewardError('NAME_CONFLICT', `${record.name} is delegated to the child zone ${record.name}.${config.zone}; an agent cannot use that label`);
    }
    const quota = limited ? this.quota : undefined;
    await quota?.publishPerKey(record.fingerprint);
    // Synchronous re-check + reservation: nothing else runs between here and put().
    const previous = store.get(record.name);
    const isNew = !previous;
    if (isNew) {
      const clash = this.confusables.findConflict(record.name);
      if (clash && clash !== record.name) {
        const existing = `${clash}.${config.zone}`;
        throw new StewardError('CONFUSABLE_NAME', `${record.name} is confusable with the existing agent ${existing}`, { existing });
      }
      quota?.reserveName(record.fingerprint, record.name);
      this.confusables.add(record.name);
    }
    let stored: AgentRecord;
    try {
      stored = (await this.writer.putLocal(record)).record;
      this.noteKey(record, previous);
    } catch (err) {
      if (isNew && !store.get(record.name)) {
        this.confusables.remove(record.name);
        quota?.releaseName(record.fingerprint, record.name);
      }
      throw err;
    }
    return stored;
  }

  /**
   * Trust signals from what the node has seen, without a scan. Both are times, never
   * counts (a burst of publishes must not raise trust) and lower bounds (after a restart
   * they start again from the stored records' published_at, so a score can only be
   * lower, never higher, than with full history): how long the key has held the name,
   * and the earliest publish by the key this node has seen.
   */
  private history() {
    const { heldSince, keySeen } = this;
    return {
      // preparePublish asks only when `fingerprint` holds `label` now.
      nameHeldSince(label: string) {
        const ms = heldSince.get(label);
        return ms === undefined ? undefined : new Date(ms);
      },
      keyFirstSeen(fingerprint: string) {
        return keySeen.get(fingerprint);
      },
    };
  }

  private noteKey(record: AgentRecord, previous: AgentRecord | undefined) {
    if (previous?.fingerprint === record.fingerprint) {
      const since = this.heldSince.get(record.name) ?? Date.parse(previous.published_at);
      if (Number.isFinite(since)) this.heldSince.set(record.name, since);
    } else this.heldSince.delete(record.name);
    const candidates = [record.published_at, previous?.fingerprint === record.fingerprint ? previous.published_at : undefined, this.keySeen.get(record.fingerprint)];
    const earliest = candidates.filter((x): x is string => !!x).sort()[0]!;
    this.keySeen.set(record.fingerprint, earliest);
  }

  private serial<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return this.writer.serial(label, fn);
  }
}

/** The manifest's name, read without verifying, only to pick the per-name queue. */
function peekName(jws: string): string {
  const payload = jws.split('.')[1];
  if (!payload || payload.length > 100_000) return '';
  try {
    const name = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))?.name;
    return typeof name === 'string' ? name.toLowerCase() : '';
  } catch {
    return '';
  }
}

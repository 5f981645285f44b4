// One zone's agents: in memory, indexed for resolve (name) and discover (capability,
// keyword), durable through the append log when given a directory. The memory-only and
// the durable store are the same class, so they behave the same and share one test suite.
// The machinery (slots, arena, codec bytes, indexes, seq order, log, snapshots, undo) is
// keyed-store.ts, shared with the subtree index; this file says what a zone keeps: agent
// records keyed by their label, checked by record-checks.ts, stored by record-codec.ts.
import { StewardError } from '../errors/index.js';
import type { AgentRecord } from '../records/types.js';
import { KeyedStore, type ChangeEntry as Change, type ChangesPage as Page, type KeyedStoreOptions } from './keyed-store.js';
import { checkRecord } from './record-checks.js';
import { RecordCodec } from './record-codec.js';

export { MAX_SYNC_LIMIT } from './keyed-store.js';

export type ChangeEntry = Change<AgentRecord>;
export type ChangesPage = Page<AgentRecord>;
export type ChangeListener = (entry: ChangeEntry) => void;

export interface ZoneStoreOptions extends KeyedStoreOptions {
  zone: string;
}

export class ZoneStore extends KeyedStore<AgentRecord> {
  readonly zone: string;

  private constructor(opts: ZoneStoreOptions) {
    const zone = opts.zone;
    super(opts, {
      codec: new RecordCodec(zone),
      keyOf: (r) => r.name,
      check: (r) => checkRecord(r, zone),
      visibility: (r) => r.visibility,
      what: `the store of ${zone}`,
    });
    this.zone = zone;
  }

  static async open(opts: ZoneStoreOptions): Promise<ZoneStore> {
    if (!opts.zone) throw new StewardError('BAD_CONFIG', 'a zone store needs a zone name');
    const store = new ZoneStore(opts);
    await store.load(opts);
    return store;
  }

  get(label: string): AgentRecord | undefined {
    return this.getKey(label);
  }

  /** The record `label` held when it was unpublished, while no newer version is live. */
  deleted(label: string): AgentRecord | undefined {
    return this.deletedKey(label);
  }

  labels(): IterableIterator<string> {
    return this.liveKeys();
  }

  /**
   * Stores the record (replacing any record of that name). Visible to get() at once, so a
   * publish that checks the current version and then puts cannot race another; the
   * promise resolves once the change is durable, and only then do listeners hear of it.
   */
  put(record: AgentRecord): Promise<ChangeEntry> {
    return this.write('put', record);
  }

  /**
   * Stores `record` as the tombstone of its name, live or not (an unpublish, a zone's
   * replicated deletes). Its `tombstone` field, the signed unpublish, is kept with it
   * (log and snapshot, as any other field) for pushes and GET /v1/sync.
   */
  tombstone(record: AgentRecord): Promise<ChangeEntry> {
    const bad = checkRecord(record, this.zone);
    return bad ? Promise.reject(bad) : this.write('delete', record);
  }

  /** Unpublishes; resolves undefined when there is no such live agent. */
  remove(label: string): Promise<ChangeEntry | undefined> {
    const current = this.getKey(label);
    return current ? this.write('delete', current) : Promise.resolve(undefined);
  }
}

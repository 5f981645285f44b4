// One zone's agents: in memory, indexed for resolve (name) and discover (capability,
// keyword), durable through the append log when given a directory. The memory-only and
// the durable store are the same class, so they behave the same and share one test suite.
//
// Layout: every name ever seen gets a slot number; per-slot facts live in flat typed
// arrays and the record itself as one compact string (record-codec.ts), decoded on read
// behind a small LRU of hot records. A deleted name keeps its slot as a tombstone so
// /v1/sync can tell pullers about the delete.
import { setImmediate as tick } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import { normalizeLabel } from '../names/index.js';
import type { AgentRecord } from '../records/types.js';
import { AppendLog } from './append-log.js';
import { TokenIndex } from './postings.js';
import { RecordCodec, type IndexedFields } from './record-codec.js';
import { grow, SeqOrder } from './seq-order.js';
import { capabilityTokens, keywordTokens } from './tokens.js';

export interface ChangeEntry {
  seq: number;
  op: 'put' | 'delete';
  /** For a delete: the record as it was when deleted. */
  record: AgentRecord;
}

export interface ChangesPage { entries: ChangeEntry[]; next: number; serial: number }

export interface ZoneStoreOptions {
  zone: string;
  /** Directory for the log and snapshots; absent = memory only. */
  dir?: string;
  fsync?: boolean;
  /** Compact once this many entries were logged since the last snapshot... */
  compactAfter?: number;
  /** ...and the files hold this many times more entries than the zone has names. */
  compactRatio?: number;
  /** Decoded records kept ready for get(). */
  hotRecords?: number;
}

export type ChangeListener = (entry: ChangeEntry) => void;

/** A snapshot line: [seq, 0 put | 1 delete, name, JWS header, record bytes (base64), namespace]. */
type SnapshotItem = [number, 0 | 1, string, string, string, string];

// Slot states. Visibility is kept so discover can filter without decoding.
const FREE = 0;
const PUBLIC = 1;
const INTERNAL = 2;
const OTHER = 3;
const TOMBSTONE = 4;
const isLive = (s: number) => s >= PUBLIC && s <= OTHER;

export const MAX_SYNC_LIMIT = 10_000;

export class ZoneStore {
  readonly zone: string;
  readonly capabilities = new TokenIndex();
  readonly keywords = new TokenIndex();

  private readonly codec: RecordCodec;
  private readonly slotOf = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly texts: string[] = [];
  private seqs = new Float64Array(1024);
  private trusts = new Float64Array(1024);
  private states = new Uint8Array(1024);
  private readonly order = new SeqOrder((slot) => this.seqs[slot]!);
  private readonly hot: LRUCache<number, AgentRecord>;
  private readonly listeners = new Set<ChangeListener>();
  private live = 0;
  private tombstones = 0;
  private assigned = 0; // last seq handed out (applied in memory)
  private durable = 0; // last seq on disk (or applied, for memory-only)
  private failed: Error | undefined;
  private closed = false;

  private constructor(
    opts: ZoneStoreOptions,
    private log?: AppendLog<ChangeEntry, SnapshotItem>,
  ) {
    this.zone = opts.zone;
    this.codec = new RecordCodec(opts.zone);
    this.hot = new LRUCache({ max: opts.hotRecords ?? 4096 });
    this.compactAfter = opts.compactAfter ?? DEFAULTS.store.snapshotEvery;
    this.compactRatio = opts.compactRatio ?? 2;
  }

  private readonly compactAfter: number;
  private readonly compactRatio: number;

  static async open(opts: ZoneStoreOptions): Promise<ZoneStore> {
    if (!opts.zone) throw new StewardError('BAD_CONFIG', 'a zone store needs a zone name');
    const store = new ZoneStore(opts);
    if (opts.dir) {
      store.log = await AppendLog.open<ChangeEntry, SnapshotItem>({
        dir: opts.dir,
        fsync: opts.fsync ?? true,
        onSnapshotItem: (item) => store.applyPortable(item),
        onEntry: (e) => store.apply(e),
      });
      store.assigned = Math.max(store.assigned, store.log.lastSeq);
      store.durable = store.assigned;
      store.maybeCompact();
    }
    return store;
  }

  /** Live agents. */
  get size(): number {
    return this.live;
  }

  /** The zone's serial: the last change that is durable. */
  get serial(): number {
    return this.durable;
  }

  /** Counters for metrics and tests. */
  get stats(): { live: number; tombstones: number; flushes: number; logEntries: number; snapshotSeq: number; snapshotItems: number } {
    const log = this.log;
    return {
      live: this.live,
      tombstones: this.tombstones,
      flushes: log?.flushes ?? 0,
      logEntries: log?.entriesSinceSnapshot ?? 0,
      snapshotSeq: log?.snapshotSeq ?? 0,
      snapshotItems: log?.snapshotItems ?? 0,
    };
  }

  get(label: string): AgentRecord | undefined {
    const slot = this.slotOf.get(label.toLowerCase());
    return slot !== undefined && isLive(this.states[slot]!) ? this.recordAt(slot) : undefined;
  }

  *labels(): IterableIterator<string> {
    for (const [name, slot] of this.slotOf) if (isLive(this.states[slot]!)) yield name;
  }

  /**
   * Stores the record (replacing any record of that name). Visible to get() at once, so a
   * publish that checks the current version and then puts cannot race another; the
   * promise resolves once the change is durable, and only then do listeners hear of it.
   */
  put(record: AgentRecord): Promise<ChangeEntry> {
    const bad = this.writeProblem() ?? checkRecord(record, this.zone);
    if (bad) return Promise.reject(bad);
    const entry: ChangeEntry = { seq: this.assigned + 1, op: 'put', record };
    this.apply(entry);
    return this.commit(entry);
  }

  /** Unpublishes; resolves undefined when there is no such live agent. */
  remove(label: string): Promise<ChangeEntry | undefined> {
    const bad = this.writeProblem();
    if (bad) return Promise.reject(bad);
    const slot = this.slotOf.get(label.toLowerCase());
    if (slot === undefined || !isLive(this.states[slot]!)) return Promise.resolve(undefined);
    const entry: ChangeEntry = { seq: this.assigned + 1, op: 'delete', record: this.recordAt(slot) };
    this.apply(entry);
    return this.commit(entry);
  }

  /** The latest change of every name changed after `since`, in seq order (deletes included). */
  changesSince(since: number, limit = 1000): ChangesPage {
    if (!Number.isSafeInteger(since) || since < 0) throw new StewardError('BAD_REQUEST', `since must be a whole number >= 0, got ${since}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SYNC_LIMIT) {
      throw new StewardError('BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_SYNC_LIMIT}, got ${limit}`);
    }
    const entries: ChangeEntry[] = [];
    this.order.scan(since, this.durable, (seq, slot) => {
      const record = this.states[slot] === TOMBSTONE ? this.codec.decode(this.texts[slot]!) : this.recordAt(slot);
      entries.push({ seq, op: this.states[slot] === TOMBSTONE ? 'delete' : 'put', record });
      return entries.length < limit;
    });
    // A short page read everything up to the serial; a full one resumes after its last entry.
    const next = entries.length === limit ? entries[entries.length - 1]!.seq : Math.max(since, this.durable);
    return { entries, next, serial: this.durable };
  }

  /** Hears every durable change, in seq order. Returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes a snapshot and drops the log it covers (no-op for a memory store). */
  async compact(): Promise<void> {
    if (!this.log) return;
    await this.log.snapshot(this.snapshotItems());
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.log?.close();
  }

  // --- for discover (src/discover/local.ts): slot-level reads without decoding ---

  nameAt(slot: number): string {
    return this.names[slot]!;
  }
  trustAt(slot: number): number {
    return this.trusts[slot]!;
  }
  /** Live and public or internal: what a local discover may show. */
  discoverableAt(slot: number): boolean {
    const s = this.states[slot];
    return s === PUBLIC || s === INTERNAL;
  }
  recordAt(slot: number): AgentRecord {
    let record = this.hot.get(slot);
    if (!record) {
      record = deepFreeze(this.codec.decode(this.texts[slot]!));
      this.hot.set(slot, record);
    }
    return record;
  }

  // --- internals ---

  private writeProblem(): Error | undefined {
    if (this.failed) return this.failed;
    if (this.closed) return new StewardError('INTERNAL', `the store of ${this.zone} is closed`);
    return undefined;
  }

  private async commit(entry: ChangeEntry): Promise<ChangeEntry> {
    if (this.log) {
      try {
        await this.log.append(entry);
      } catch (err) {
        this.failed ??= err as Error; // memory is now ahead of disk: refuse further writes
        throw err;
      }
    }
    if (entry.seq > this.durable) this.durable = entry.seq;
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (err) {
        process.emitWarning(`zone store listener failed: ${(err as Error).message}`);
      }
    }
    this.maybeCompact();
    return entry;
  }

  /** Applies a change to memory; a change older than what the name holds is ignored (replay). */
  private apply(entry: ChangeEntry): void {
    if (this.seqOfName(entry.record.name) >= entry.seq) return;
    const now = entry.op === 'put' ? entry.record : undefined;
    this.applyEncoded(entry.seq, entry.record.name, this.codec.encode(entry.record), now);
  }

  private applyPortable([seq, op, name, header, bytes, namespace]: SnapshotItem): void {
    if (this.seqOfName(name) >= seq) return;
    const text = this.codec.fromPortable(header, bytes, namespace);
    this.applyEncoded(seq, name, text, op === 0 ? this.codec.fields(text) : undefined);
  }

  private seqOfName(name: string): number {
    const slot = this.slotOf.get(name);
    return slot === undefined ? -1 : this.seqs[slot]!;
  }

  /** `now` is the new record's indexed fields for a put, undefined for a delete. */
  private applyEncoded(seq: number, name: string, text: string, now: IndexedFields | undefined): void {
    let slot = this.slotOf.get(name);
    if (slot === undefined) {
      slot = this.names.length;
      if (slot === this.seqs.length) {
        this.seqs = grow(this.seqs, Float64Array);
        this.trusts = grow(this.trusts, Float64Array);
        this.states = grow(this.states, Uint8Array);
      }
      this.slotOf.set(name, slot);
      this.names.push(name);
      this.texts.push('');
    }
    const before = this.states[slot]!;
    const old = isLive(before) ? this.codec.fields(this.texts[slot]!) : undefined;
    this.reindex(this.capabilities, slot, old && capabilityTokens(old), now && capabilityTokens(now));
    this.reindex(this.keywords, slot, old && keywordTokens(old), now && keywordTokens(now));

    this.hot.delete(slot);
    this.texts[slot] = text;
    this.trusts[slot] = now ? Number(now.trust) || 0 : 0;
    const after = now ? visibilityState(now) : TOMBSTONE;
    this.states[slot] = after;
    this.live += (isLive(after) ? 1 : 0) - (isLive(before) ? 1 : 0);
    this.tombstones += (after === TOMBSTONE ? 1 : 0) - (before === TOMBSTONE ? 1 : 0);
    this.seqs[slot] = seq;
    this.order.push(seq, slot, before !== FREE);
    if (seq > this.assigned) this.assigned = seq;
  }

  private reindex(index: TokenIndex, slot: number, old: string[] | undefined, now: string[] | undefined): void {
    // Only the difference is touched: a new version usually keeps its tokens, and
    // re-inserting into a big posting list would move it in memory for nothing.
    const keep = new Set(now ?? []);
    for (const t of old ?? []) if (!keep.delete(t)) index.delete(t, slot);
    for (const t of keep) index.add(t, slot);
  }

  private async *snapshotItems(): AsyncGenerator<SnapshotItem> {
    for (let slot = 0; slot < this.names.length; slot++) {
      if (slot % 1000 === 999) await tick(); // let requests through while a big zone is written
      const state = this.states[slot]!;
      if (state === FREE) continue;
      yield [this.seqs[slot]!, state === TOMBSTONE ? 1 : 0, this.names[slot]!, ...this.codec.toPortable(this.texts[slot]!)];
    }
  }

  private maybeCompact(): void {
    const log = this.log;
    if (!log || log.snapshotRunning || this.closed || this.failed) return;
    const onDisk = log.snapshotItems + log.entriesSinceSnapshot;
    if (log.entriesSinceSnapshot >= this.compactAfter && onDisk >= this.compactRatio * (this.live + this.tombstones)) {
      this.compact().catch((err) => process.emitWarning(`zone store snapshot failed: ${(err as Error).message}`));
    }
  }
}

function visibilityState(record: Pick<AgentRecord, 'visibility'>): number {
  return record.visibility === 'public' ? PUBLIC : record.visibility === 'internal' ? INTERNAL : OTHER;
}

function checkRecord(record: AgentRecord, zone: string): StewardError | undefined {
  if (!record || typeof record !== 'object') return new StewardError('BAD_REQUEST', 'a record must be an object');
  try {
    if (normalizeLabel(record.name) !== record.name) return new StewardError('BAD_NAME', `record name ${JSON.stringify(record.name)} is not normalised`);
  } catch (err) {
    return err as StewardError;
  }
  if (record.zone !== zone) return new StewardError('BAD_REQUEST', `record ${record.name} is for zone ${record.zone}, this store holds ${zone}`);
  if (!Array.isArray(record.capabilities) || record.capabilities.some((c) => typeof c !== 'string')) {
    return new StewardError('BAD_REQUEST', `record ${record.name}: capabilities must be an array of strings`);
  }
  if (typeof record.trust !== 'number' || !(record.trust >= 0 && record.trust <= 1)) {
    return new StewardError('BAD_REQUEST', `record ${record.name}: trust must be a number from 0 to 1`);
  }
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// The machinery under every store of records that is indexed for discover and durable
// through the append log: the zone's own agents (zone-store.ts, keyed by label) and the
// references a parent holds for its subtree (src/federation/subtree, keyed by FQID). What
// differs between them — the key, the stored bytes (a StoreCodec), the checks and the
// visibility state — comes in a StoredShape; everything else is this one class.
//
// Layout (slots.ts): every key ever seen gets a slot number; per-slot facts live in flat
// typed arrays and the value itself as compact bytes (the codec) in an off-heap arena,
// decoded on read behind a small LRU of hot values. A deleted key keeps its slot as a
// tombstone so /v1/sync can tell pullers about the delete.
import { setImmediate as tick } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import { AppendLog } from './append-log.js';
import type { Damage } from './log-recovery.js';
import { TokenIndex } from './postings.js';
import type { IndexedFields } from './record-codec.js';
import type { Discoverable, KeyedStoreOptions, StoreCodec, StoredShape } from './store-shape.js';
import { deepFreeze } from './record-checks.js';
import { LegacySnapshotDecoder, SnapshotDecoder, type LegacySnapshotLine, type SnapshotItem, type SnapshotRecord } from './snapshot-format.js';
import { snapshotItems } from './snapshot-items.js';
import type { StoreHealth } from './storage-errors.js';
import { SeqOrder } from './seq-order.js';
import { FREE, INTERNAL, isLive, OTHER, PUBLIC, Slots, TOMBSTONE } from './slots.js';
import { reindex, UndoLog } from './undo.js';
import { capabilityTokens, keywordTokens, TOKEN_RULES } from './tokens.js';

export interface ChangeEntry<T> {
  seq: number;
  op: 'put' | 'delete';
  /** For a delete: the value as it was when deleted (plus whatever the shape keeps of the delete). */
  record: T;
}

export interface ChangesPage<T> { entries: ChangeEntry<T>[]; next: number; serial: number }

export type { Discoverable, KeyedStoreOptions, StoreCodec, StoredShape } from './store-shape.js';

export const MAX_SYNC_LIMIT = 10_000;

export class KeyedStore<T extends Discoverable> {
  readonly capabilities = new TokenIndex();
  readonly keywords = new TokenIndex();
  private readonly indexes = { capabilities: this.capabilities, keywords: this.keywords };

  protected readonly codec: StoreCodec<T>;
  private readonly slots = new Slots();
  private readonly order = new SeqOrder((slot) => this.slots.seqs[slot]!);
  private readonly hot: LRUCache<number, T>;
  private readonly listeners = new Set<(entry: ChangeEntry<T>) => void>();
  private log?: AppendLog<ChangeEntry<T>>;
  private live = 0;
  private snapshotRecords = 0;
  private tombstones = 0;
  private assigned = 0; // last seq handed out (applied in memory)
  private durableSeq = 0; // last seq on disk (or applied, for memory-only)
  private readonly undo = new UndoLog();
  private closed = false;
  private readonly compactAfter: number;
  private readonly compactRatio: number;

  protected constructor(opts: KeyedStoreOptions, private readonly shape: StoredShape<T>) {
    this.codec = shape.codec;
    this.hot = new LRUCache({ max: opts.hotRecords ?? 4096 });
    this.compactAfter = opts.compactAfter ?? DEFAULTS.store.snapshotEvery;
    this.compactRatio = opts.compactRatio ?? 1;
  }

  /** Reads the snapshot and log in `opts.dir` (nothing for a memory store). */
  protected async load(opts: KeyedStoreOptions): Promise<void> {
    if (!opts.dir) return;
    let meta = false;
    let tokensUsable = false;
    const slotOf: number[] = []; // a snapshot record's ordinal -> its slot here
    const onItem = (item: SnapshotItem) => {
      if ('ordinals' in item) return tokensUsable ? this.indexes[item.index].load(item.token, item.ordinals, slotOf) : undefined;
      if ('seq' in item) {
        if (!meta) throw new StewardError('STORE_CORRUPT', `snapshot in ${opts.dir} does not start with its header item`);
        this.snapshotRecords = slotOf.push(this.applySnapshotRecord(item, tokensUsable));
        return;
      }
      meta = true;
      this.codec.namespace ??= item.namespace;
      tokensUsable = item.tokens === TOKEN_RULES;
    };
    const binary = new SnapshotDecoder();
    const legacy = new LegacySnapshotDecoder();
    this.log = await AppendLog.open<ChangeEntry<T>>({
      dir: opts.dir,
      fsync: opts.fsync ?? true,
      onSnapshotItem: (item) => onItem(binary.decode(item)),
      onLegacySnapshotItem: (item) => onItem(legacy.decode(item as LegacySnapshotLine)),
      onEntry: (e) => this.applyChange(e),
      onWriteFailed: (fromSeq) => this.rollbackFrom(fromSeq),
      acceptDataLoss: opts.acceptDataLoss,
      log: opts.log,
      openFile: opts.openFile,
      probeMs: opts.probeMs,
    });
    this.assigned = Math.max(this.assigned, this.log.lastSeq);
    this.durableSeq = this.assigned;
    // Accepted loss: seqs carry on above every seq known to have existed, and a snapshot
    // at once makes the files agree again (the damaged segments go with it).
    if (this.log.damage.length) await this.compact();
    this.maybeCompact();
  }

  /** Live values. */
  get size(): number {
    return this.live;
  }

  /** "degraded" while writes fail (a full disk...), with the reason and since when. */
  get health(): StoreHealth { return this.log?.health ?? { status: 'ok' }; }
  /** Nothing was stored here before this open (no manifest, snapshot or log). */
  get fresh(): boolean { return this.log ? this.log.fresh : true; }
  /** What was missing at open and accepted (acceptDataLoss); empty when nothing was. */
  get dataLoss(): readonly Damage[] { return this.log?.damage ?? []; }

  /** The store's serial: the last change that is durable. */
  get serial(): number {
    return this.durableSeq;
  }

  /** Counters for metrics and tests. */
  /** `snapshotRecords`: keys in the newest snapshot (its items also hold the index lists). */
  get stats(): Record<'live' | 'tombstones' | 'flushes' | 'logEntries' | 'snapshotSeq' | 'snapshotRecords' | 'recordBytes' | 'arenaBytes', number> {
    const log = this.log;
    return {
      live: this.live,
      tombstones: this.tombstones,
      flushes: log?.flushes ?? 0,
      logEntries: log?.entriesSinceSnapshot ?? 0,
      snapshotSeq: log?.snapshotSeq ?? 0,
      snapshotRecords: this.snapshotRecords,
      recordBytes: this.slots.bytes.live,
      arenaBytes: this.slots.bytes.slabs,
    };
  }

  /** Resolves once every change made so far is durable (at once for a memory store). */
  durable(): Promise<void> {
    return this.log ? this.log.durable() : Promise.resolve();
  }

  /** The live value of `key`. */
  protected getKey(key: string): T | undefined {
    const slot = typeof key === 'string' ? this.slots.find(key.toLowerCase()) : undefined;
    return slot !== undefined && isLive(this.slots.states[slot]!) ? this.recordAt(slot) : undefined;
  }

  /** What `key` held when it was deleted, while nothing newer is live. */
  protected deletedKey(key: string): T | undefined {
    const slot = typeof key === 'string' ? this.slots.find(key.toLowerCase()) : undefined;
    return slot !== undefined && this.slots.states[slot] === TOMBSTONE ? this.codec.decode(this.slots.bytesAt(slot)) : undefined;
  }

  protected *liveKeys(): IterableIterator<string> {
    for (const [name, slot] of this.slots.entries()) if (isLive(this.slots.states[slot]!)) yield name;
  }

  /**
   * Stores `value` (a put) or `value` as its key's tombstone (a delete). Visible at once,
   * so a check of the current value followed by a write cannot race another; the promise
   * resolves once the change is durable, and only then do listeners hear of it.
   */
  protected write(op: 'put' | 'delete', value: T): Promise<ChangeEntry<T>> {
    const bad = this.closed ? new StewardError('INTERNAL', `${this.shape.what} is closed`) : op === 'put' ? this.shape.check(value) : undefined;
    if (bad) return Promise.reject(bad);
    const entry: ChangeEntry<T> = { seq: this.assigned + 1, op, record: value };
    if (this.log) this.undo.remember(entry.seq, this.slots, this.shape.keyOf(value));
    this.applyChange(entry);
    return this.commit(entry);
  }

  /** The latest change of every key changed after `since`, in seq order (deletes included). */
  changesSince(since: number, limit = 1000): ChangesPage<T> {
    if (!Number.isSafeInteger(since) || since < 0) throw new StewardError('BAD_REQUEST', `since must be a whole number >= 0, got ${since}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SYNC_LIMIT) {
      throw new StewardError('BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_SYNC_LIMIT}, got ${limit}`);
    }
    const entries: ChangeEntry<T>[] = [];
    this.order.scan(since, this.durableSeq, (seq, slot) => {
      const gone = this.slots.states[slot] === TOMBSTONE;
      entries.push({ seq, op: gone ? 'delete' : 'put', record: gone ? this.codec.decode(this.slots.bytesAt(slot)) : this.recordAt(slot) });
      return entries.length < limit;
    });
    // A short page read everything up to the serial; a full one resumes after its last entry.
    const next = entries.length === limit ? entries[entries.length - 1]!.seq : Math.max(since, this.durableSeq);
    return { entries, next, serial: this.durableSeq };
  }

  /**
   * changesSince without blocking (for /v1/sync): visits the changes after `since`, up to
   * the serial at the call, `slice` at a time with the event loop let through in between,
   * until `visit` returns false (that change not taken). Resolves with where to resume.
   */
  async visitChanges(since: number, visit: (e: ChangeEntry<T>) => boolean, slice = 100): Promise<{ next: number; serial: number }> {
    const to = this.durableSeq;
    let next = since;
    for (let more = true, stopped = false; more; await tick()) {
      let n = 0;
      more = false;
      this.order.scan(next, to, (seq, slot) => {
        if (n++ === slice) return !(more = true);
        const gone = this.slots.states[slot] === TOMBSTONE;
        const record = (!gone && this.hot.peek(slot)) || this.codec.decode(this.slots.bytesAt(slot));
        if (!visit({ seq, op: gone ? 'delete' : 'put', record })) return !(stopped = true);
        next = seq;
        return true;
      });
      if (stopped) return { next, serial: to };
    }
    return { next: Math.max(since, to), serial: to };
  }

  /** Hears every durable change, in seq order. Returns the unsubscribe function. */
  onChange(listener: (entry: ChangeEntry<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes a snapshot and drops the log it covers (no-op for a memory store). */
  async compact(): Promise<void> {
    if (!this.log) return;
    const written = { records: 0 };
    const { slots, codec, capabilities, keywords, log } = this;
    await this.log.snapshot(snapshotItems({ slots, codec, capabilities, keywords, durable: () => log.durable() }, written));
    this.snapshotRecords = written.records;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.log?.close();
  }

  // --- for discover (src/discover/search.ts): slot-level reads without decoding ---

  /** The slot's key (ties in discover order are broken by it). */
  nameAt(slot: number): string {
    return this.slots.nameAt(slot);
  }
  trustAt(slot: number): number {
    return this.slots.trusts[slot]!;
  }
  /** The visibility of a live slot (undefined: free or a tombstone), for visibleTo() without decoding. */
  visibilityAt(slot: number): string | undefined {
    const s = this.slots.states[slot];
    return s === PUBLIC ? 'public' : s === INTERNAL ? 'internal' : s === OTHER ? 'other' : undefined;
  }
  recordAt(slot: number): T {
    let record = this.hot.get(slot);
    if (!record) {
      record = deepFreeze(this.codec.decode(this.slots.bytesAt(slot)));
      this.hot.set(slot, record);
    }
    return record;
  }
  /** What discover shows of a live slot. */
  resultAt(slot: number): { id: string; name: string; namespace: string; version: string; capabilities: string[]; trust: number } {
    const r = this.recordAt(slot);
    return { id: r.id, name: r.name, namespace: r.namespace, version: r.version, capabilities: [...r.capabilities], trust: r.trust };
  }

  // --- internals ---

  private async commit(entry: ChangeEntry<T>): Promise<ChangeEntry<T>> {
    if (this.log) {
      // On failure the log has already had this change (and any after it) undone: rollbackFrom.
      await this.log.append(entry);
      this.undo.forget(entry.seq);
    }
    if (entry.seq > this.durableSeq) this.durableSeq = entry.seq;
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (err) {
        process.emitWarning(`${this.shape.what} listener failed: ${(err as Error).message}`);
      }
    }
    this.maybeCompact();
    return entry;
  }

  /** The write of the changes from `fromSeq` on failed: memory goes back to what is on disk. */
  private rollbackFrom(fromSeq: number): void {
    const { slots, codec, capabilities, keywords, order, hot } = this;
    const d = this.undo.rollback(fromSeq, this.assigned, { slots, codec, capabilities, keywords, order, hot });
    this.live += d.live;
    this.tombstones += d.tombstones;
    this.assigned = fromSeq - 1;
  }

  /** Applies a change to memory; a change older than what the key holds is ignored (replay). */
  private applyChange(entry: ChangeEntry<T>): void {
    const slot = this.slots.slotFor(this.shape.keyOf(entry.record));
    if (this.slots.seqs[slot]! >= entry.seq) return;
    const r = entry.op === 'put' ? entry.record : undefined;
    const tokens = r ? [capabilityTokens(r), keywordTokens(r)] as const : undefined;
    this.reindexAt(slot, tokens?.[0], tokens?.[1]);
    this.slots.setBytes(slot, this.codec.encode(entry.record));
    this.settle(slot, entry.seq, r ? visibilityState(this.shape.visibility(r)) : TOMBSTONE, r ? Number(r.trust) || 0 : 0);
  }

  /** Returns the record's slot. Tokens come with it (older JSON files) or later as lists. */
  private applySnapshotRecord(r: SnapshotRecord, tokensUsable: boolean): number {
    const slot = this.slots.slotFor(r.name);
    if (this.slots.seqs[slot]! >= r.seq) return slot;
    const put = r.op === 'put';
    this.reindexAt(slot, put && tokensUsable ? r.caps : undefined, put && tokensUsable ? r.kws : undefined);
    const bytes = typeof r.bytes === 'string' ? this.slots.setBase64(slot, r.bytes) : this.slots.setBytes(slot, r.bytes);
    this.codec.setHeader(bytes, r.header);
    if (put && !tokensUsable) {
      const f = this.codec.fields(bytes); // written under other token rules: cut them again
      this.reindexAt(slot, capabilityTokens(f), keywordTokens(f));
    }
    this.settle(slot, r.seq, put ? r.state : TOMBSTONE, r.trust);
    return slot;
  }

  /** Moves the slot's index entries from its current value's tokens to these (none: a delete). */
  private reindexAt(slot: number, caps: string[] | undefined, kws: string[] | undefined): void {
    if (isLive(this.slots.states[slot]!)) {
      const old = this.codec.fields(this.slots.bytesAt(slot));
      reindex(this.capabilities, slot, capabilityTokens(old), caps);
      reindex(this.keywords, slot, keywordTokens(old), kws);
      this.slots.states[slot] = FREE; // its tokens are gone: a second call only adds
      this.live--;
      return;
    }
    for (const t of caps ?? []) this.capabilities.add(t, slot);
    for (const t of kws ?? []) this.keywords.add(t, slot);
  }

  /** Records the slot's new state, trust and seq (after its bytes and tokens are in place). */
  private settle(slot: number, seq: number, state: number, trust: number): void {
    const { slots } = this;
    const before = slots.states[slot]!;
    this.hot.delete(slot);
    slots.trusts[slot] = trust;
    slots.states[slot] = state;
    this.live += isLive(state) ? 1 : 0;
    this.tombstones += (state === TOMBSTONE ? 1 : 0) - (before === TOMBSTONE ? 1 : 0);
    const supersedes = slots.seqs[slot]! > 0;
    slots.seqs[slot] = seq; // before push: a squeeze inside it keeps only current seqs
    this.order.push(seq, slot, supersedes);
    if (seq > this.assigned) this.assigned = seq;
  }

  private maybeCompact(): void {
    const log = this.log;
    if (!log || log.snapshotRunning || this.closed || log.health.status !== 'ok') return;
    const logged = log.entriesSinceSnapshot;
    if (logged >= this.compactAfter && logged >= this.compactRatio * this.snapshotRecords) {
      this.compact().catch((err) => process.emitWarning(`${this.shape.what} snapshot failed: ${(err as Error).message}`));
    }
  }
}

function visibilityState(visibility: unknown): number {
  return visibility === 'public' ? PUBLIC : visibility === 'internal' ? INTERNAL : OTHER;
}

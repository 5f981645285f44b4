// The subtree index of a parent or the root (SPEC §6): the references its children push
// (and, by pull, sync) up, held durably — append log + snapshots — and indexed by id,
// capability and keyword with the zone store's own machinery (src/store/keyed-store.ts),
// so `scope=local` here answers for the whole subtree. Keyed by FQID. Entries arrive
// checked (federation/push/entries.ts: shape, place, signatures) and are applied by the
// rules of rules.ts against what is held; what was applied is announced to onApplied
// listeners once it is durable (the delivery side forwards it to this node's parent).
import { StewardError } from '../../errors/index.js';
import { normalizeName } from '../../names/index.js';
import { KeyedStore, type ChangeEntry, type KeyedStoreOptions } from '../../store/keyed-store.js';
import type { PushEntry, Rejected } from '../push/entries.js';
import { RefCodec, type StoredRef } from './ref-codec.js';
import { decide } from './rules.js';

export type { StoredRef } from './ref-codec.js';
export type RefChange = ChangeEntry<StoredRef>;

/** One entry the index applied: its seq here, the child zone it came from, the entry as checked. */
export interface Applied { seq: number; from: string; entry: PushEntry }
export type AppliedListener = (batch: readonly Applied[]) => void;

export interface ApplyResult { accepted: number; duplicates: number; rejected: Rejected[]; applied: Applied[] }

export interface SubtreeOptions extends KeyedStoreOptions {
  /** The zone whose subtree this is (for messages). */
  zone: string;
}

function checkRef(ref: StoredRef): StewardError | undefined {
  if (!ref || typeof ref !== 'object') return new StewardError('BAD_REQUEST', 'a reference must be an object');
  try {
    if (normalizeName(ref.id) !== ref.id) return new StewardError('BAD_NAME', `reference id ${JSON.stringify(ref.id)} is not normalised`);
  } catch (err) {
    return err as StewardError;
  }
  if (typeof ref.name !== 'string' || typeof ref.version !== 'string' || typeof ref.jws !== 'string') return new StewardError('BAD_REQUEST', `reference ${ref.id}: name, version and jws are required`);
  if (!Array.isArray(ref.capabilities) || ref.capabilities.some((c) => typeof c !== 'string')) return new StewardError('BAD_REQUEST', `reference ${ref.id}: capabilities must be strings`);
  if (typeof ref.trust !== 'number' || !(ref.trust >= 0 && ref.trust <= 1)) return new StewardError('BAD_REQUEST', `reference ${ref.id}: trust must be a number from 0 to 1`);
  return undefined;
}

export class SubtreeIndex extends KeyedStore<StoredRef> {
  readonly zone: string;
  private readonly appliedListeners = new Set<AppliedListener>();

  private constructor(opts: SubtreeOptions) {
    super(opts, {
      codec: new RefCodec(),
      keyOf: (r) => r.id,
      check: checkRef,
      visibility: () => 'public', // only public records are ever sent up (entries.ts refuses the rest)
      what: `the subtree index of ${opts.zone}`,
    });
    this.zone = opts.zone;
  }

  static async open(opts: SubtreeOptions): Promise<SubtreeIndex> {
    const index = new SubtreeIndex(opts);
    await index.load(opts);
    return index;
  }

  /** The live reference of `id`. */
  get(id: string): StoredRef | undefined {
    return this.getKey(id);
  }

  /** What `id` held when it was deleted (with its `tombstone`), while nothing newer is live. */
  deleted(id: string): StoredRef | undefined {
    return this.deletedKey(id);
  }

  ids(): IterableIterator<string> {
    return this.liveKeys();
  }

  /**
   * Applies checked entries from the child zone `from`, in order (each decided against
   * what the index holds, earlier entries of the batch included). Resolves once every
   * applied entry is durable; listeners then hear of them, in seq order. A failed write
   * (full disk...) rejects with its error after the entries that were stored are announced.
   */
  async apply(from: string, entries: readonly PushEntry[]): Promise<ApplyResult> {
    const rejected: Rejected[] = [];
    let duplicates = 0;
    const writes: { entry: PushEntry; done: Promise<RefChange> }[] = [];
    for (const entry of entries) {
      const id = entry.op === 'put' ? entry.ref.id : entry.id;
      const d = decide(this.get(id), this.deleted(id), entry);
      if (d.kind === 'duplicate') duplicates++;
      else if (d.kind === 'reject') rejected.push({ id, code: d.code, detail: d.detail });
      else writes.push({ entry, done: this.write(d.kind, d.value) });
    }
    const settled = await Promise.allSettled(writes.map((w) => w.done));
    const applied: Applied[] = [];
    let failure: unknown;
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') applied.push({ seq: s.value.seq, from, entry: writes[i]!.entry });
      else failure ??= s.reason;
    });
    if (applied.length) this.announce(applied);
    if (failure) throw failure;
    return { accepted: applied.length, duplicates, rejected, applied };
  }

  /** Hears each batch of applied entries once durable. Returns the unsubscribe function. */
  onApplied(listener: AppliedListener): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  private announce(batch: readonly Applied[]): void {
    for (const listener of this.appliedListeners) {
      try {
        listener(batch);
      } catch (err) {
        process.emitWarning(`subtree index listener failed: ${(err as Error).message}`);
      }
    }
  }
}

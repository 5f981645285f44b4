// A small durable key → value table (delegations, register tokens, revoked serials) on the
// zone store's crash-tested AppendLog: each change is one checksummed, fsynced line
// {seq, key, value}; value null removes the key. The table is compacted into a snapshot
// once the log holds many more changes than there are keys. Without a directory it is
// kept in memory only. A change is applied in memory only after it is on disk, so a
// failed write leaves the table as it was.
import { AppendLog, type LogEntry } from './append-log.js';

interface Change<V> extends LogEntry { key: string; value: V | null }

export interface TableOptions<V> {
  /** Where the table's log lives; absent = memory only. */
  dir?: string;
  fsync?: boolean;
  /** Checks a value read back from disk (a damaged or foreign value throws). */
  check?: (value: unknown) => V;
}

const COMPACT_AFTER = 1_000;

export class DurableTable<V> {
  private readonly map = new Map<string, V>();
  private readonly listeners: ((key: string, value: V | undefined) => void)[] = [];
  private seq = 0;
  private compacting = false;

  private constructor(private readonly log: AppendLog<Change<V>> | undefined) {}

  static async open<V>(opts: TableOptions<V> = {}): Promise<DurableTable<V>> {
    const check = opts.check ?? ((v: unknown) => v as V);
    const map = new Map<string, V>();
    const apply = (key: string, value: unknown) => (value === null ? map.delete(key) : map.set(key, check(value)));
    let log: AppendLog<Change<V>> | undefined;
    if (opts.dir) {
      log = await AppendLog.open<Change<V>>({
        dir: opts.dir,
        fsync: opts.fsync ?? true,
        onSnapshotItem: (item) => {
          const [key, value] = JSON.parse(item.toString('utf8')) as [string, unknown];
          apply(key, value);
        },
        onEntry: (e) => apply(e.key, e.value),
      });
    }
    const table = new DurableTable<V>(log);
    for (const [k, v] of map) table.map.set(k, v);
    table.seq = log?.lastSeq ?? 0;
    return table;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  /** Called after each change is durable (value undefined: removed). */
  onChange(fn: (key: string, value: V | undefined) => void): void {
    this.listeners.push(fn);
  }

  put(key: string, value: V): Promise<void> {
    return this.write(key, value);
  }

  delete(key: string): Promise<void> {
    return this.map.has(key) ? this.write(key, null) : Promise.resolve();
  }

  async close(): Promise<void> {
    await this.log?.close();
  }

  private async write(key: string, value: V | null): Promise<void> {
    if (this.log) await this.log.append({ seq: ++this.seq, key, value });
    if (value === null) this.map.delete(key);
    else this.map.set(key, value);
    for (const fn of this.listeners) fn(key, value ?? undefined);
    this.maybeCompact();
  }

  private maybeCompact() {
    const log = this.log;
    if (!log || this.compacting || log.entriesSinceSnapshot < COMPACT_AFTER || log.entriesSinceSnapshot < 2 * this.map.size) return;
    this.compacting = true;
    const items = [...this.map].map(([k, v]) => Buffer.from(JSON.stringify([k, v])));
    log.snapshot(items).catch(() => undefined).finally(() => (this.compacting = false));
  }
}

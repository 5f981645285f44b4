// The push outbox's durable queue (README.md): §6 push entries waiting for the parent, in
// order, on the store's crash-tested AppendLog (<data-dir>/outbox). Each queued entry is
// one log line {seq, q: entry}; a delivered batch is one line {seq, done: <last queued seq
// of the batch>}, and everything up to it is gone. Compacted into a snapshot of what is
// still queued once the log holds much more than that. Without a directory: memory only.
//
// Coalescing: a new entry for an id that is already queued (and not being sent) replaces
// the queued one when that is safe — a delete supersedes anything before it; a put
// supersedes a put by the same key. A put after a delete is kept beside it (the parent
// must see the delete first when the new put is by another key).
//
// Bounded by entries and bytes (JSON size): an entry that does not fit is not queued
// (`add` answers 'full' and `dropped` counts it); the parent's pull (SPEC §6) repairs it.
import { AppendLog, type LogEntry, type StoreLogger } from '../../store/append-log.js';
import type { PushEntry } from './entries.js';

interface Line extends LogEntry { q?: PushEntry; done?: number }

export interface QueuedEntry { qid: number; id: string; entry: PushEntry; bytes: number; dead: boolean; sending: boolean }

export interface OutboxQueueOptions {
  dir?: string;
  fsync?: boolean;
  log?: StoreLogger;
  /** Entries queued at most (default 100,000). */
  maxEntries?: number;
  /** Bytes (JSON) queued at most (default 64 MiB). */
  maxBytes?: number;
}

export type AddResult = 'queued' | 'coalesced' | 'full';

const idOf = (e: PushEntry) => (e.op === 'put' ? e.ref.id : e.id);

/** `later` makes `earlier` unnecessary to send (the parent ends in the same state without it). */
function supersedes(earlier: PushEntry, later: PushEntry): boolean {
  if (later.op === 'delete') return true;
  return earlier.op === 'put' && earlier.ref.fingerprint === later.ref.fingerprint;
}

export class OutboxQueue {
  private items: QueuedEntry[] = [];
  private head = 0;
  private readonly latest = new Map<string, QueuedEntry>();
  private seq = 0;
  private compacting = false;
  /** Live (queued, not superseded) entries, and their bytes. */
  size = 0;
  bytes = 0;
  /** Entries refused because the queue was full, since start. */
  dropped = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;

  private constructor(private readonly log: AppendLog<Line> | undefined, private readonly opts: OutboxQueueOptions) {
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  }

  static async open(opts: OutboxQueueOptions = {}): Promise<OutboxQueue> {
    const lines: Line[] = [];
    const log = opts.dir
      ? await AppendLog.open<Line>({
        dir: opts.dir,
        fsync: opts.fsync ?? true,
        log: opts.log,
        onSnapshotItem: (item) => {
          const [qid, q] = JSON.parse(item.toString('utf8')) as [number, PushEntry];
          lines.push({ seq: qid, q });
        },
        onEntry: (e) => lines.push(e),
      })
      : undefined;
    const queue = new OutboxQueue(log, opts);
    for (const l of lines) {
      if (l.q) queue.keep(l.seq, l.q, true);
      else if (typeof l.done === 'number') queue.forgetThrough(l.done);
    }
    queue.seq = Math.max(log?.lastSeq ?? 0, ...lines.map((l) => l.seq));
    return queue;
  }

  /** Queues an entry (durable shortly after; see `durable`). */
  add(entry: PushEntry): AddResult {
    const bytes = Buffer.byteLength(JSON.stringify(entry));
    const prev = this.latest.get(idOf(entry));
    const replaces = !!prev && !prev.sending && supersedes(prev.entry, entry);
    const size = this.size - (replaces ? 1 : 0) + 1;
    const total = this.bytes - (replaces ? prev!.bytes : 0) + bytes;
    if (size > this.maxEntries || total > this.maxBytes) {
      this.dropped++;
      return 'full';
    }
    const qid = ++this.seq;
    this.log?.append({ seq: qid, q: entry }).catch((err) => this.opts.log?.error({ err, qid }, 'outbox entry not written'));
    this.keep(qid, entry, false, bytes);
    this.maybeCompact();
    return replaces ? 'coalesced' : 'queued';
  }

  /** The oldest live entries, up to `maxEntries` and `maxBytes` (at least one), marked as being sent. */
  take(maxEntries: number, maxBytes: number): QueuedEntry[] {
    const out: QueuedEntry[] = [];
    let bytes = 0;
    for (let i = this.head; i < this.items.length && out.length < maxEntries; i++) {
      const it = this.items[i]!;
      if (it.dead) continue;
      if (out.length && bytes + it.bytes > maxBytes) break;
      it.sending = true;
      out.push(it);
      bytes += it.bytes;
    }
    return out;
  }

  /** The batch was not delivered: its entries wait at the head again. */
  release(batch: readonly QueuedEntry[]): void {
    for (const it of batch) it.sending = false;
  }

  /** The batch (taken from the head) is settled: it and everything before it leaves the queue. */
  done(batch: readonly QueuedEntry[]): void {
    const last = batch.at(-1);
    if (!last) return;
    this.forgetThrough(last.qid);
    this.log?.append({ seq: ++this.seq, done: last.qid }).catch((err) => this.opts.log?.error({ err }, 'outbox acknowledgement not written'));
    this.maybeCompact();
  }

  /** Resolves once everything so far is on disk. */
  async durable(): Promise<void> {
    await this.log?.durable();
  }

  async close(): Promise<void> {
    await this.log?.close();
  }

  private keep(qid: number, entry: PushEntry, replay: boolean, bytes = Buffer.byteLength(JSON.stringify(entry))): void {
    const id = idOf(entry);
    const prev = this.latest.get(id);
    if (prev && !prev.dead && !prev.sending && supersedes(prev.entry, entry)) this.kill(prev);
    else if (replay && this.size >= this.maxEntries) return; // (a smaller bound than the last run's)
    const it: QueuedEntry = { qid, id, entry, bytes, dead: false, sending: false };
    this.items.push(it);
    this.latest.set(id, it);
    this.size++;
    this.bytes += bytes;
  }

  private kill(it: QueuedEntry) {
    it.dead = true;
    this.size--;
    this.bytes -= it.bytes;
    if (this.latest.get(it.id) === it) this.latest.delete(it.id);
  }

  private forgetThrough(qid: number) {
    while (this.head < this.items.length && this.items[this.head]!.qid <= qid) {
      const it = this.items[this.head++]!;
      if (!it.dead) this.kill(it);
    }
    if (this.head > 1_024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Once the log holds twice what is queued (and at least 1,000 lines), a snapshot of the queue replaces it. */
  private maybeCompact() {
    const log = this.log;
    if (!log || this.compacting || log.entriesSinceSnapshot < 1_000 || log.entriesSinceSnapshot < 2 * this.size) return;
    this.compacting = true;
    const items: Buffer[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const it = this.items[i]!;
      if (!it.dead) items.push(Buffer.from(JSON.stringify([it.qid, it.entry])));
    }
    log.snapshot(items).catch((err) => this.opts.log?.warn({ err }, 'outbox compaction failed')).finally(() => (this.compacting = false));
  }
}

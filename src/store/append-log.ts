// A durable append-only log of JSON entries with snapshots.
//
// Files in `dir`:
//   log-<first seq>.log   segments of framed lines (see lines.ts); the newest is appended to
//   snap-<seq>.snap       a snapshot covering every entry with seq <= <seq>: checksummed
//                         blocks of binary items ending in an END block with their count
//                         (frames.ts), so a short file is never taken for a whole one.
//                         Snapshots written before that format (JSON lines, then a trailer
//                         line {"$end":count}) are still read.
//   store.manifest        that the store exists, its newest snapshot, a seq the log reached
//                         (manifest.ts): what opening checks the files against (log-recovery.ts).
// An append resolves only after its bytes are fsynced. Appends that arrive while a flush
// is running wait for the next flush and share its one write + one fsync (group commit).
// Seqs in the log are contiguous. A failed write or fsync (full disk, EIO) rejects its batch
// and all queued after it (STORAGE_FULL / UNAVAILABLE), the owner first undoing them in
// memory (onWriteFailed); the file is cut back to its last good byte before the next write,
// and the log is degraded until a write or a probe (a small file, every probeMs) succeeds.
import { open as fsOpen, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StewardError } from '../errors/index.js';
import { FrameWriter } from './frames.js';
import { encodeLine } from './lines.js';
import { recoverLog, segName, snapName, type Damage } from './log-recovery.js';
import { writeManifest, type StoreManifest } from './manifest.js';
import { storageError, type StoreHealth } from './storage-errors.js';

export interface LogEntry { seq: number }

/** pino-like: where the log reports data it dropped, write failures and recovery. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type OpenFile = (path: string, flags: 'a' | 'w') => Promise<FileHandle>;

export interface AppendLogOptions<E extends LogEntry> {
  dir: string;
  /** false skips fsync (tests, throwaway data); the framing and recovery stay the same. */
  fsync?: boolean;
  /** An item of the snapshot, as a view valid only during the call. */
  onSnapshotItem(item: Buffer): void;
  /** An item of a snapshot written before the binary format (a parsed JSON line). */
  onLegacySnapshotItem?(item: unknown): void;
  onEntry(entry: E): void;
  /**
   * Called synchronously when the write of the entries from `fromSeq` on failed, before
   * their appends reject: the owner undoes them (their seqs will be handed out again).
   */
  onWriteFailed?(fromSeq: number, err: StewardError): void;
  /** Open the store even though data is missing (logged; see log-recovery.ts). */
  acceptDataLoss?: boolean;
  log?: StoreLogger;
  /** How files are opened for writing (tests inject failing handles). */
  openFile?: OpenFile;
  /** While degraded, how often to probe whether writes work again (ms). */
  probeMs?: number;
  /** How often at most the manifest records the seq the log reached (ms). */
  checkpointMs?: number;
}

interface Pending { line: string; seq: number; resolve(): void; reject(err: Error): void }
interface Rotate { rotate: string; resolve(): void; reject(err: Error): void }
/** Resolves once everything queued before it is on disk. */
interface Barrier { barrier: true; resolve(): void; reject(err: Error): void }
/** Checks that writes work again: cuts the log back, writes a small file beside it. */
interface Probe { probe: true; resolve(): void; reject(err: Error): void }
type Queued = Pending | Rotate | Barrier | Probe;

const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const PROBE_BYTES = 64 * 1024;
export class AppendLog<E extends LogEntry> {
  /** Highest seq handed to append() (durable or queued). */
  lastSeq = 0;
  /** Highest seq on disk. */
  durableSeq = 0;
  /** Seq covered by the newest snapshot. */
  snapshotSeq = 0;
  /** Items in the newest snapshot, and entries appended after it: their sum is what a restart reads. */
  snapshotItems = 0;
  entriesSinceSnapshot = 0;
  /** Write + fsync rounds so far (each carries one or more appends). */
  flushes = 0;
  /** Write failures so far (a snapshot spanning one is abandoned). */
  failures = 0;
  /** No store was there before this open. */
  fresh = false;
  /** What was lost at open and accepted (acceptDataLoss); the owner rebases on a snapshot. */
  damage: Damage[] = [];
  health: StoreHealth = { status: 'ok' };
  /** Entries flushed into the segment being appended to. */
  private segmentEntries = 0;
  /** Bytes of good data in the segment; past them, after a failed write, is garbage. */
  private goodBytes = 0;
  private cutBack = false;
  /** Segments older than the one appended to (removed by the next snapshot). */
  private older: string[] = [];

  private queue: Queued[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushRunning = false;
  private snapshots: Promise<void> = Promise.resolve();
  private snapshotsPending = 0;
  private closed = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private manifestWrites: Promise<void> = Promise.resolve();
  private lastCheckpoint = Date.now();

  private constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
    private fh: FileHandle,
    private segment: string,
    private readonly opts: AppendLogOptions<E>,
    private readonly openFile: OpenFile,
    private manifest: StoreManifest,
  ) {}

  static async open<E extends LogEntry>(opts: AppendLogOptions<E>): Promise<AppendLog<E>> {
    const { dir, fsync = true } = opts;
    const openFile = opts.openFile ?? ((path, flags) => fsOpen(path, flags));
    const r = await recoverLog(opts);
    const active = r.segments.at(-1) ?? segName(r.lastSeq + 1);
    const fh = await openFile(join(dir, active), 'a');
    if (!r.segments.length) await syncDir(dir, fsync);
    const manifest: StoreManifest = r.manifest ?? { format: 1, created: new Date().toISOString(), snapshotSeq: r.snapshotSeq, seq: r.lastSeq };
    const log = new AppendLog<E>(dir, fsync, fh, active, opts, openFile, manifest);
    log.lastSeq = r.lastSeq;
    log.durableSeq = r.lastSeq;
    log.snapshotSeq = r.snapshotSeq;
    log.snapshotItems = r.snapshotItems;
    log.entriesSinceSnapshot = r.entries;
    log.segmentEntries = r.inLastSegment;
    log.goodBytes = r.activeBytes;
    log.older = r.segments.slice(0, -1);
    log.fresh = r.fresh;
    log.damage = r.damage;
    if (!r.manifest) await log.checkpoint();
    return log;
  }

  /** Queues the entry; resolves once it is on disk. Seqs must follow on, one by one. */
  append(entry: E): Promise<void> {
    if (this.closed) return Promise.reject(new StewardError('INTERNAL', 'append to a closed log'));
    if (entry.seq !== this.lastSeq + 1) return Promise.reject(new StewardError('INTERNAL', `seq ${entry.seq} does not follow ${this.lastSeq}`));
    this.lastSeq = entry.seq;
    const line = encodeLine(JSON.stringify(entry));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, seq: entry.seq, resolve, reject });
      this.kick();
    });
  }

  /**
   * Writes a snapshot of `items` (which must reflect at least every entry appended so far;
   * items newer than that are fine — the owner replays with "higher seq wins"), then drops
   * the log before it. Appends carry on meanwhile, into a fresh segment.
   */
  snapshot(items: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    // One at a time; a call made while one runs gets its own, covering what came since.
    this.snapshotsPending++;
    const run = this.snapshots.catch(() => {}).then(() => this.writeSnapshot(items));
    this.snapshots = run.finally(() => this.snapshotsPending--);
    return run;
  }

  /** Resolves once every entry appended so far is durable (rejects if a write failed). */
  durable(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ barrier: true, resolve, reject });
      this.kick();
    });
  }

  get snapshotRunning(): boolean {
    return this.snapshotsPending > 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probeTimer);
    await this.snapshots.catch(() => {});
    await this.flushing;
    if (this.health.status === 'ok') await this.checkpoint().catch(() => {});
    await this.manifestWrites;
    await this.fh.close().catch(() => {});
  }

  private async writeSnapshot(items: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const seq = this.lastSeq;
    const failures = this.failures;
    const fresh = segName(seq + 1);
    const old = [...this.older, this.segment].filter((f) => f !== fresh); // nothing since it began: kept
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ rotate: fresh, resolve, reject });
      this.kick();
    });
    const tmp = join(this.dir, `${snapName(seq)}.tmp`);
    let count = 0;
    try {
      const fh = await this.openFile(tmp, 'w');
      try {
        const out = new FrameWriter(fh);
        for await (const item of items) await out.add(item);
        count = await out.end();
        if (this.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      // Items were read from memory; a write failure since may have undone some of them.
      if (this.failures !== failures) throw new StewardError('UNAVAILABLE', 'a log write failed while the snapshot was written; it is abandoned');
      await rename(tmp, join(this.dir, snapName(seq)));
      await syncDir(this.dir, this.fsync);
    } catch (err) {
      await rm(tmp, { force: true }); // a full disk is the likeliest cause: give the space back
      const e = storageError(err, `writing the snapshot ${snapName(seq)}`);
      if (e.code === 'STORAGE_FULL') this.degrade(e);
      throw e;
    }
    const wasSnapshot = this.snapshotSeq;
    // Entries appended after the rotation are in the new segment; count them, not the old.
    this.entriesSinceSnapshot = this.segmentEntries;
    this.snapshotSeq = seq;
    this.snapshotItems = count;
    this.older = this.older.filter((f) => !old.includes(f));
    await this.checkpoint(); // the manifest names the new snapshot before the old files go
    for (const f of old) await rm(join(this.dir, f), { force: true });
    if (wasSnapshot && wasSnapshot !== seq) await rm(join(this.dir, snapName(wasSnapshot)), { force: true });
    await syncDir(this.dir, this.fsync);
  }

  /** Records the newest snapshot and the durable seq in the manifest (one write at a time). */
  private checkpoint(): Promise<void> {
    const run = this.manifestWrites.catch(() => {}).then(() => {
      this.lastCheckpoint = Date.now();
      this.manifest = { ...this.manifest, snapshotSeq: this.snapshotSeq, seq: this.durableSeq };
      return writeManifest(this.dir, this.manifest, this.fsync);
    });
    this.manifestWrites = run;
    return run;
  }

  private kick(): void {
    if (this.flushRunning) return;
    this.flushRunning = true;
    this.flushing = this.flushLoop();
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length) {
        const head = this.queue[0]!;
        if ('barrier' in head) {
          this.queue.shift();
          head.resolve(); // everything before it was flushed by earlier rounds of this loop
          continue;
        }
        if ('probe' in head) {
          this.queue.shift();
          await this.probe().then(head.resolve, head.reject);
          continue;
        }
        if ('rotate' in head) {
          this.queue.shift();
          if (head.rotate === this.segment) {
            head.resolve();
            continue;
          }
          try {
            const fh = await this.openFile(join(this.dir, head.rotate), 'a');
            await syncDir(this.dir, this.fsync);
            await this.fh.close();
            this.older.push(this.segment);
            this.fh = fh;
            this.segment = head.rotate;
            this.segmentEntries = 0;
            this.goodBytes = 0;
            this.cutBack = false;
            head.resolve();
          } catch (err) {
            head.reject(storageError(err, `starting the log segment ${head.rotate}`));
          }
          continue;
        }
        let n = 0;
        let bytes = 0;
        while (n < this.queue.length && 'line' in this.queue[n]! && bytes < MAX_BATCH_BYTES) {
          bytes += (this.queue[n] as Pending).line.length;
          n++;
        }
        const batch = this.queue.splice(0, n) as Pending[];
        const buf = Buffer.from(batch.map((p) => p.line).join(''));
        try {
          await this.cutBackIfNeeded();
          this.cutBack = true; // until the bytes below are all written and synced
          for (let off = 0; off < buf.length; ) off += (await this.fh.write(buf, off)).bytesWritten;
          if (this.fsync) await this.fh.datasync();
          this.cutBack = false;
        } catch (err) {
          this.failed(batch, err);
          return;
        }
        this.goodBytes += buf.length;
        this.durableSeq = batch[n - 1]!.seq;
        this.flushes++;
        this.entriesSinceSnapshot += n;
        this.segmentEntries += n;
        if (this.health.status !== 'ok') this.recovered('a log write succeeded');
        for (const p of batch) p.resolve();
        if (Date.now() - this.lastCheckpoint > (this.opts.checkpointMs ?? 1000)) {
          this.checkpoint().catch(() => {}); // a lower bound: a late or failed one only checks less
        }
      }
    } finally {
      // Cleared in the same tick the loop saw the queue empty (no await in between), so an
      // append can never sit in a queue that no loop will look at.
      this.flushRunning = false;
    }
  }

  /** A failed write: undo and reject the batch and everything queued after it, in one tick. */
  private failed(batch: Pending[], err: unknown): void {
    this.failures++;
    const e = storageError(err, `writing to the log ${this.segment}`);
    const rest = this.queue.splice(0);
    this.lastSeq = batch[0]!.seq - 1;
    try {
      this.opts.onWriteFailed?.(batch[0]!.seq, e);
    } finally {
      for (const p of [...batch, ...rest]) p.reject(e);
      this.degrade(e);
    }
  }

  /** After a failed write the file may end in part of a batch: cut it back to the last good byte. */
  private async cutBackIfNeeded(): Promise<void> {
    if (!this.cutBack) return;
    await this.fh.truncate(this.goodBytes);
    if (this.fsync) await this.fh.datasync();
    this.cutBack = false;
  }

  private async probe(): Promise<void> {
    if (this.health.status === 'ok') return;
    const path = join(this.dir, 'probe.tmp');
    try {
      await this.cutBackIfNeeded();
      const fh = await this.openFile(path, 'w');
      try {
        await fh.write(Buffer.alloc(PROBE_BYTES));
        if (this.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      this.recovered('a probe write succeeded');
    } catch (err) {
      const e = storageError(err, 'probing the storage');
      this.opts.log?.warn({ dir: this.dir, code: e.code, err: e.message }, 'store: storage still failing');
    } finally {
      await rm(path, { force: true }).catch(() => {});
    }
  }

  private degrade(e: StewardError): void {
    const reason = e.message;
    if (this.health.status === 'ok') {
      this.opts.log?.error({ dir: this.dir, code: e.code, err: reason }, 'store: writes are failing; changes are refused until they work again');
      const every = this.opts.probeMs ?? 1000;
      this.probeTimer = setInterval(() => {
        if (this.closed || this.queue.some((q) => 'probe' in q)) return;
        this.queue.push({ probe: true, resolve() {}, reject() {} });
        this.kick();
      }, every);
      this.probeTimer.unref();
    }
    const since = this.health.status === 'degraded' ? this.health.since : new Date().toISOString();
    this.health = { status: 'degraded', code: e.code as 'STORAGE_FULL' | 'UNAVAILABLE', reason, since };
  }

  private recovered(how: string): void {
    if (this.health.status === 'ok') return;
    this.opts.log?.info({ dir: this.dir, since: this.health.since, how }, 'store: writes work again');
    this.health = { status: 'ok' };
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }
}

async function syncDir(dir: string, fsync: boolean): Promise<void> {
  if (!fsync) return;
  const fh = await fsOpen(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

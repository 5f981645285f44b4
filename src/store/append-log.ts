// A durable append-only log of JSON entries with snapshots.
//
// Files in `dir`:
//   log-<first seq>.log   segments of framed lines (see lines.ts); the newest is appended to
//   snap-<seq>.snap       a snapshot covering every entry with seq <= <seq>: checksummed
//                         blocks of binary items ending in an END block with their count
//                         (frames.ts), so a short file is never taken for a whole one.
//                         Snapshots written before that format (JSON lines, then a trailer
//                         line {"$end":count}) are still read.
// An append resolves only after its bytes are fsynced. Appends that arrive while a flush
// is running wait for the next flush and share its one write + one fsync (group commit).
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StewardError } from '../errors/index.js';
import { FrameWriter, isFramed, readFrames } from './frames.js';
import { corrupt, encodeLine, scanLines } from './lines.js';

export interface LogEntry { seq: number }

export interface AppendLogOptions<E extends LogEntry> {
  dir: string;
  /** false skips fsync (tests, throwaway data); the framing and recovery stay the same. */
  fsync?: boolean;
  /** An item of the snapshot, as a view valid only during the call. */
  onSnapshotItem(item: Buffer): void;
  /** An item of a snapshot written before the binary format (a parsed JSON line). */
  onLegacySnapshotItem?(item: unknown): void;
  onEntry(entry: E): void;
}

interface Pending { line: string; resolve(): void; reject(err: Error): void }
interface Rotate { rotate: string; resolve(): void; reject(err: Error): void }
/** Resolves once everything queued before it is on disk. */
interface Barrier { barrier: true; resolve(): void; reject(err: Error): void }
type Queued = Pending | Rotate | Barrier;

const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const segName = (firstSeq: number) => `log-${String(firstSeq).padStart(16, '0')}.log`;
const snapName = (seq: number) => `snap-${String(seq).padStart(16, '0')}.snap`;
const numberIn = (file: string) => Number(file.slice(5, 21));

export class AppendLog<E extends LogEntry> {
  /** Highest seq handed to append() (durable or queued). */
  lastSeq = 0;
  /** Seq covered by the newest snapshot. */
  snapshotSeq = 0;
  /** Items in the newest snapshot, and entries appended after it: their sum is what a restart reads. */
  snapshotItems = 0;
  entriesSinceSnapshot = 0;
  /** Write + fsync rounds so far (each carries one or more appends). */
  flushes = 0;
  /** Entries flushed into the segment being appended to. */
  private segmentEntries = 0;

  private queue: Queued[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushRunning = false;
  private failed: Error | undefined;
  private snapshots: Promise<void> = Promise.resolve();
  private snapshotsPending = 0;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
    private fh: FileHandle,
    private segment: string,
  ) {}

  static async open<E extends LogEntry>(opts: AppendLogOptions<E>): Promise<AppendLog<E>> {
    const { dir, fsync = true } = opts;
    await mkdir(dir, { recursive: true });
    const files = (await readdir(dir)).sort();
    for (const f of files.filter((f) => f.endsWith('.tmp'))) await rm(join(dir, f), { force: true });
    const snaps = files.filter((f) => /^snap-\d{16}\.snap$/.test(f));
    const segs = files.filter((f) => /^log-\d{16}\.log$/.test(f));

    let snapshotSeq = 0;
    let snapshotItems = 0;
    const newest = snaps.at(-1);
    if (newest) {
      snapshotSeq = numberIn(newest);
      snapshotItems = await readSnapshot(join(dir, newest), opts);
    }

    let lastSeq = snapshotSeq;
    let entries = 0;
    let inLastSegment = 0;
    for (const [i, seg] of segs.entries()) {
      const path = join(dir, seg);
      inLastSegment = 0;
      const isLast = i === segs.length - 1;
      const scan = await scanLines(path, (json, lineNo) => {
        const entry = parse<E>(json, path, lineNo);
        if (entry.seq <= snapshotSeq) return; // already in the snapshot (crash before cleanup)
        if (!(entry.seq > lastSeq)) throw corrupt(path, lineNo, `seq ${entry.seq} after ${lastSeq}`);
        lastSeq = entry.seq;
        entries++;
        inLastSegment++;
        opts.onEntry(entry);
      });
      if (scan.tornAt !== undefined) {
        // Only the segment being written when the process died may end torn; older ones
        // were fully fsynced before the next one was started.
        if (!isLast) throw corrupt(path, scan.lines + 1, 'damaged data at the end of a closed segment');
        const fh = await open(path, 'r+');
        await fh.truncate(scan.tornAt);
        await fh.sync();
        await fh.close();
      }
    }

    // Segments wholly covered by the snapshot are left over from a crash mid-cleanup.
    for (const [i, seg] of segs.entries()) {
      const next = segs[i + 1];
      if (next && numberIn(next) <= snapshotSeq + 1) await rm(join(dir, seg), { force: true });
    }
    for (const s of snaps.slice(0, -1)) await rm(join(dir, s), { force: true });

    const active = segs.at(-1) ?? segName(lastSeq + 1);
    const fh = await open(join(dir, active), 'a');
    if (!segs.length) await syncDir(dir, fsync);
    const log = new AppendLog<E>(dir, fsync, fh, active);
    log.lastSeq = lastSeq;
    log.snapshotSeq = snapshotSeq;
    log.snapshotItems = snapshotItems;
    log.entriesSinceSnapshot = entries;
    log.segmentEntries = inLastSegment;
    return log;
  }

  /** Queues the entry; resolves once it is on disk. Seqs must rise. */
  append(entry: E): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new StewardError('INTERNAL', 'append to a closed log'));
    if (!(entry.seq > this.lastSeq)) return Promise.reject(new StewardError('INTERNAL', `seq ${entry.seq} is not above ${this.lastSeq}`));
    this.lastSeq = entry.seq;
    const line = encodeLine(JSON.stringify(entry));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
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
    if (this.failed) return Promise.reject(this.failed);
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
    await this.snapshots.catch(() => {});
    await this.flushing;
    await this.fh.close().catch(() => {});
  }

  private async writeSnapshot(items: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    const seq = this.lastSeq;
    const old = this.segment;
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ rotate: segName(seq + 1), resolve, reject });
      this.kick();
    });
    const tmp = join(this.dir, `${snapName(seq)}.tmp`);
    const fh = await open(tmp, 'w');
    let count = 0;
    try {
      const out = new FrameWriter(fh);
      for await (const item of items) await out.add(item);
      count = await out.end();
      if (this.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, snapName(seq)));
    await syncDir(this.dir, this.fsync);
    const wasSnapshot = this.snapshotSeq;
    // Entries appended after the rotation are in the new segment; count them, not the old.
    this.entriesSinceSnapshot = this.segmentEntries;
    this.snapshotSeq = seq;
    this.snapshotItems = count;
    await rm(join(this.dir, old), { force: true });
    if (wasSnapshot) await rm(join(this.dir, snapName(wasSnapshot)), { force: true });
    await syncDir(this.dir, this.fsync);
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
        if ('rotate' in head) {
          this.queue.shift();
          try {
            const fh = await open(join(this.dir, head.rotate), 'a');
            await syncDir(this.dir, this.fsync);
            await this.fh.close();
            this.fh = fh;
            this.segment = head.rotate;
            this.segmentEntries = 0;
            head.resolve();
          } catch (err) {
            head.reject(err as Error);
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
        try {
          const buf = Buffer.from(batch.map((p) => p.line).join(''));
          for (let off = 0; off < buf.length; ) off += (await this.fh.write(buf, off)).bytesWritten;
          if (this.fsync) await this.fh.datasync();
        } catch (err) {
          // After a failed write or fsync the file's state is unknown: stop taking writes.
          this.failed = new StewardError('STORE_CORRUPT', `write to ${this.segment} failed: ${(err as Error).message}`);
          for (const p of [...batch, ...this.queue.splice(0)]) p.reject(this.failed);
          return;
        }
        this.flushes++;
        this.entriesSinceSnapshot += n;
        this.segmentEntries += n;
        for (const p of batch) p.resolve();
      }
    } finally {
      // Cleared in the same tick the loop saw the queue empty (no await in between), so an
      // append can never sit in a queue that no loop will look at.
      this.flushRunning = false;
    }
  }
}

async function readSnapshot(path: string, opts: AppendLogOptions<LogEntry>): Promise<number> {
  const { onSnapshotItem, onLegacySnapshotItem } = opts;
  if (await isFramed(path)) {
    let n = 0;
    return readFrames(path, (item) => {
      n++;
      try {
        onSnapshotItem(item);
      } catch (err) {
        if (err instanceof StewardError) throw err;
        throw corrupt(path, n, `checksum matches but the item cannot be read: ${(err as Error).message}`, 'item');
      }
    });
  }
  if (!onLegacySnapshotItem) throw corrupt(path, 1, 'not a snapshot this version reads');
  return readLineSnapshot(path, onLegacySnapshotItem);
}

async function readLineSnapshot(path: string, onItem: (item: unknown) => void): Promise<number> {
  // Hold each line back by one: the last one is the trailer, not an item.
  let held: string | undefined;
  let count = 0;
  let lastLine = 0;
  const scan = await scanLines(path, (json, lineNo) => {
    if (held !== undefined) {
      onItem(parse(held, path, lineNo - 1));
      count++;
    }
    held = json;
    lastLine = lineNo;
  });
  const trailer = held === undefined ? undefined : parse<{ $end?: number }>(held, path, lastLine);
  if (scan.tornAt !== undefined || trailer?.$end !== count) {
    throw corrupt(path, lastLine + 1, 'snapshot is incomplete or damaged');
  }
  return count;
}

function parse<T>(json: string, path: string, lineNo: number): T {
  try {
    return JSON.parse(json) as T;
  } catch {
    throw corrupt(path, lineNo, 'checksum matches but the JSON does not parse');
  }
}

async function syncDir(dir: string, fsync: boolean): Promise<void> {
  if (!fsync) return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

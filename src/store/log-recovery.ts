// Opening a store directory: the newest snapshot, then the log after it, checked for what a
// lost file or line leaves behind. Only bytes after the last newline of the newest segment
// are a torn write (never acknowledged: dropped, and logged). Everything else that is
// missing is damage: a complete line that fails its checksum, a gap in the seqs (a line or
// a segment gone), a log that does not continue the snapshot, a snapshot or log the
// manifest says existed, a log that ends before the seq the manifest recorded. Damage
// refuses the open (STORE_CORRUPT naming file, line and seqs) and changes nothing on disk,
// unless the operator accepts the loss; then every loss is logged and the caller rebases
// the store on a fresh snapshot.
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StewardError } from '../errors/index.js';
import type { AppendLogOptions, LogEntry } from './append-log.js';
import { isFramed, readFrames } from './frames.js';
import { corrupt, scanLines } from './lines.js';
import { readManifest, type StoreManifest } from './manifest.js';

export interface Damage {
  file: string;
  line?: number;
  /** The changes lost, when known. */
  seqs?: [number, number];
  what: string;
}

export interface Recovered {
  snapshotSeq: number;
  snapshotItems: number;
  /** Highest seq read (or, after accepted damage, the highest seq known to have existed). */
  lastSeq: number;
  entries: number;
  inLastSegment: number;
  /** Segment files, oldest first (the last is appended to); empty when there are none yet. */
  segments: string[];
  /** Bytes of good data in the last segment. */
  activeBytes: number;
  manifest?: StoreManifest;
  /** Nothing was there: no manifest, snapshot or log. */
  fresh: boolean;
  /** What was lost and accepted (empty: nothing). */
  damage: Damage[];
}

export const segName = (firstSeq: number) => `log-${String(firstSeq).padStart(16, '0')}.log`;
export const snapName = (seq: number) => `snap-${String(seq).padStart(16, '0')}.snap`;
export const numberIn = (file: string) => Number(file.slice(5, 21));

export const describeDamage = (d: Damage) =>
  `${d.file}${d.line ? ` line ${d.line}` : ''}: ${d.what}${d.seqs ? ` (seq ${d.seqs[0]}..${d.seqs[1]})` : ''}`;

export async function recoverLog<E extends LogEntry>(opts: AppendLogOptions<E>): Promise<Recovered> {
  const { dir, acceptDataLoss = false, log } = opts;
  await mkdir(dir, { recursive: true });
  const files = (await readdir(dir)).sort();
  for (const f of files.filter((f) => f.endsWith('.tmp'))) await rm(join(dir, f), { force: true });
  const snaps = files.filter((f) => /^snap-\d{16}\.snap$/.test(f));
  const segs = files.filter((f) => /^log-\d{16}\.log$/.test(f));
  const damage: Damage[] = [];
  let manifest: StoreManifest | undefined;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    if (!acceptDataLoss || !(err instanceof StewardError)) throw err;
    damage.push({ file: join(dir, 'store.manifest'), what: `unreadable (${err.message}); what it recorded cannot be checked` });
  }
  const fresh = !manifest && !damage.length && !snaps.length && !segs.length;

  let snapshotSeq = 0;
  let snapshotItems = 0;
  const newest = snaps.at(-1);
  if (manifest && manifest.snapshotSeq > 0 && (!newest || numberIn(newest) < manifest.snapshotSeq)) {
    const s = manifest.snapshotSeq;
    damage.push({ file: join(dir, snapName(s)), seqs: [1, s], what: 'the snapshot is missing: the records it held are lost' });
  }
  if (newest) {
    const path = join(dir, newest);
    let usable = true;
    if (acceptDataLoss) {
      // Check it whole first, so a damaged snapshot is skipped rather than half loaded.
      try {
        await readSnapshot(path, { ...opts, onSnapshotItem() {}, onLegacySnapshotItem: opts.onLegacySnapshotItem && (() => {}) });
      } catch (err) {
        if (!(err instanceof StewardError)) throw err;
        damage.push({ file: path, seqs: [1, numberIn(newest)], what: `the snapshot is damaged (${err.message}); not loaded` });
        usable = false;
      }
    }
    if (usable) {
      snapshotSeq = numberIn(newest);
      snapshotItems = await readSnapshot(path, opts);
    }
  }

  let lastSeq = snapshotSeq;
  let entries = 0;
  let inLastSegment = 0;
  let activeBytes = 0;
  let torn: { path: string; at: number; bytes: number } | undefined;
  for (const [i, seg] of segs.entries()) {
    const path = join(dir, seg);
    const isLast = i === segs.length - 1;
    inLastSegment = 0;
    // A segment named N is started only once every change before N is durable.
    const first = numberIn(seg);
    if (first - 1 > lastSeq) {
      damage.push({ file: path, seqs: [lastSeq + 1, first - 1], what: 'changes before this segment are missing (a segment or the snapshot holding them is gone)' });
      lastSeq = first - 1;
    }
    const scan = await scanLines(
      path,
      (json, lineNo) => {
        const entry = parse<E>(json, path, lineNo);
        if (entry.seq <= snapshotSeq) return; // already in the snapshot (crash before cleanup)
        if (!(entry.seq > lastSeq)) {
          if (!acceptDataLoss) throw corrupt(path, lineNo, `seq ${entry.seq} after ${lastSeq}`);
          damage.push({ file: path, line: lineNo, what: `seq ${entry.seq} after ${lastSeq}: out of order, skipped` });
          return;
        }
        if (entry.seq > lastSeq + 1) damage.push({ file: path, line: lineNo, seqs: [lastSeq + 1, entry.seq - 1], what: 'changes are missing before this line' });
        lastSeq = entry.seq;
        entries++;
        inLastSegment++;
        opts.onEntry(entry);
      },
      (lineNo) => damage.push({ file: path, line: lineNo, what: 'a complete line fails its checksum (damaged): the change it held is lost' }),
    );
    activeBytes = scan.tornAt ?? scan.size;
    if (scan.tornAt !== undefined) {
      // Only the segment being written when the process died may end torn; older ones
      // were fully fsynced before the next one was started.
      if (!isLast) damage.push({ file: path, line: scan.lines + 1, what: 'a closed segment ends in a partial line' });
      else torn = { path, at: scan.tornAt, bytes: scan.size - scan.tornAt };
    }
  }
  if ((manifest || snaps.length) && !segs.length) {
    const to = Math.max(manifest?.seq ?? 0, snapshotSeq);
    damage.push({ file: join(dir, segName(snapshotSeq + 1)), seqs: to > snapshotSeq ? [snapshotSeq + 1, to] : undefined, what: 'the log is missing (no segment file) though the store was initialised' });
  } else if (manifest && manifest.seq > lastSeq) {
    damage.push({ file: join(dir, segs.at(-1)!), seqs: [lastSeq + 1, manifest.seq], what: `the log ends at seq ${lastSeq}, but seq ${manifest.seq} was acknowledged: its end is missing` });
  }

  if (damage.length) {
    if (!acceptDataLoss) {
      throw new StewardError(
        'STORE_CORRUPT',
        `the store in ${dir} has lost acknowledged data: ${damage.map(describeDamage).join('; ')}. Nothing was changed on disk: restore it from a backup, or start with --accept-data-loss to open with what is left`,
        { damage, ...(damage[0]!.line ? { file: damage[0]!.file, line: damage[0]!.line } : { file: damage[0]!.file }) },
      );
    }
    for (const d of damage) log?.error({ dir, ...d }, `store: data loss accepted: ${describeDamage(d)}`);
    lastSeq = Math.max(lastSeq, manifest?.seq ?? 0, manifest?.snapshotSeq ?? 0, ...damage.map((d) => d.seqs?.[1] ?? 0));
  }
  if (torn) {
    log?.warn({ file: torn.path, offset: torn.at, bytes: torn.bytes }, 'store: dropped a torn write at the end of the log (a crash cut it short; it was never acknowledged)');
    const fh = await open(torn.path, 'r+');
    await fh.truncate(torn.at);
    await fh.sync();
    await fh.close();
  }

  // Segments wholly covered by the snapshot are left over from a crash mid-cleanup.
  const kept: string[] = [];
  for (const [i, seg] of segs.entries()) {
    const next = segs[i + 1];
    if (next && numberIn(next) <= snapshotSeq + 1) await rm(join(dir, seg), { force: true });
    else kept.push(seg);
  }
  for (const s of snaps.slice(0, -1)) await rm(join(dir, s), { force: true });
  return { snapshotSeq, snapshotItems, lastSeq, entries, inLastSegment, segments: kept, activeBytes, manifest, fresh, damage };
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

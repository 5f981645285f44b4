// A small durable record of the store as a whole, beside the log: that it was initialised,
// the newest snapshot, and a seq the log is known to have reached. Without it a deleted log
// or snapshot would look like a fresh (or smaller) store; with it, opening a store that lost
// files is refused, naming what is missing. Written to a temporary file, fsynced and renamed
// into place, so it is always one whole version; `seq` only ever lags the log (it is
// checkpointed about once a second and on close), so it is a lower bound, never a claim.
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { corrupt } from './lines.js';

export const MANIFEST = 'store.manifest';

export interface StoreManifest {
  format: 1;
  /** When the store was first opened. */
  created: string;
  /** Seq of the newest snapshot (0: none yet). */
  snapshotSeq: number;
  /** Every change up to this seq was durable in the log or a snapshot when this was written. */
  seq: number;
}

/** The manifest, undefined when there is none; STORE_CORRUPT when it cannot be read. */
export async function readManifest(dir: string): Promise<StoreManifest | undefined> {
  const path = join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let m: Partial<StoreManifest>;
  try {
    m = JSON.parse(text);
  } catch {
    throw corrupt(path, 1, 'the store manifest does not parse');
  }
  if (m?.format !== 1 || !Number.isSafeInteger(m.snapshotSeq) || !Number.isSafeInteger(m.seq) || typeof m.created !== 'string') {
    throw corrupt(path, 1, 'the store manifest is not one this version reads');
  }
  return m as StoreManifest;
}

export async function writeManifest(dir: string, m: StoreManifest, fsync: boolean): Promise<void> {
  const path = join(dir, MANIFEST);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(`${JSON.stringify(m)}\n`);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  if (fsync) {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }
}

// Certificate material on disk, written so that concurrent processes never see half a
// file and never both create the same thing: every file goes to a temp name and is
// renamed into place; creation of a set is guarded by an O_EXCL lock file, and the
// certificate is renamed in last, so "certificate exists" means "the set is complete".
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { keysFromPem, privateKeyToPem, type RegistryKeyPair } from './keys.js';

export interface MaterialPaths {
  cert: string;
  key: string;
  /** The issuers of `cert`, up to and including the root (absent for the root itself). */
  chain: string;
  lock: string;
}

/** `<dir>/<name>.pem`, `.key`, `.chain.pem`: `.key` files are git-ignored (certs/*.key). */
export function materialPaths(dir: string, name: string): MaterialPaths {
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`), chain: join(dir, `${name}.chain.pem`), lock: join(dir, `${name}.lock`) };
}

/** Writes `data` atomically (temp + rename) with `mode`. */
export function writeAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function writePrivateKeyAtomic(path: string, keys: RegistryKeyPair): void {
  writeAtomic(path, privateKeyToPem(keys), 0o600);
}

export function readKeys(path: string): RegistryKeyPair | undefined {
  return existsSync(path) ? keysFromPem(readFileSync(path, 'utf8')) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `make` holding `<lock>` (O_EXCL), unless `done()` already holds; a process that
 * finds the lock taken waits until `done()` holds. A lock older than `staleMs` (its
 * holder died) is broken.
 */
export async function once(lock: string, done: () => boolean, make: () => Promise<void>, { staleMs = 120_000, pollMs = 100 } = {}): Promise<void> {
  for (;;) {
    if (done()) return;
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, String(process.pid));
        closeSync(fd);
        if (!done()) await make();
      } finally {
        try { unlinkSync(lock); } catch { /* already gone */ }
      }
      return;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > staleMs) unlinkSync(lock);
    } catch { /* released meanwhile */ }
    await sleep(pollMs);
  }
}

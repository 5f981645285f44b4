// What a failed write to the store means for a client and an operator. A full disk is
// 507 STORAGE_FULL; any other I/O failure (EIO, EROFS, ...) is 503 UNAVAILABLE. Neither
// means the store is corrupt: the log is cut back to its last good byte and the change
// is undone in memory, so the next write (once the cause is gone) simply works.
import { StewardError } from '../errors/index.js';

export type StoreHealth =
  | { status: 'ok' }
  | { status: 'degraded'; code: 'STORAGE_FULL' | 'UNAVAILABLE'; reason: string; since: string };

const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export function isStorageFull(err: unknown): boolean {
  return FULL.has((err as NodeJS.ErrnoException)?.code ?? '');
}

/** The error a caller sees when writing `what` failed with `err`. */
export function storageError(err: unknown, what: string): StewardError {
  if (err instanceof StewardError) return err;
  const errno = (err as NodeJS.ErrnoException)?.code;
  const why = (err as Error)?.message ?? String(err);
  if (isStorageFull(err)) {
    return new StewardError('STORAGE_FULL', `${what}: the disk is full (${errno}); the change was not stored, try again once space is freed`, { errno });
  }
  return new StewardError('UNAVAILABLE', `${what}: the storage failed (${errno ?? why}); the change was not stored, try again later`, { errno: errno ?? null });
}

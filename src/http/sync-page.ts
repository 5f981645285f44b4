// Building one /v1/sync page without stalling the node: pages are capped by bytes as well
// as entries (`next` says where to resume), built a slice of entries at a time with the
// event loop let through in between (ZoneStore.visitChanges), and only a few are built at
// once — a request that finds them all busy waits briefly in a short queue, else gets 503
// UNAVAILABLE with Retry-After. Internal records never leave the zone (neither their puts
// nor their deletes).
// At a parent the log also holds the references of its subtree, after the zone's own
// records, under one integer cursor (federation/subtree/sync-cursor.ts).
import { StewardError } from '../errors/index.js';
import { REGISTRY, visibleTo } from '../records/visibility.js';
import type { ZoneStore } from '../store/zone-store.js';
import type { SubtreeIndex } from '../federation/subtree/index.js';
import { joinCursor, splitCursor } from '../federation/subtree/sync-cursor.js';
import { syncOwnEntry, syncRefEntry } from '../federation/subtree/sync-entries.js';

export const SYNC_PAGE_BYTES = 1024 * 1024;
export const SYNC_BUILDS = 1;
const QUEUE = 16;
const WAIT_MS = 2000;

export interface SyncPage {
  /** The page as JSON text, {"entries":[...],"next":N,"serial":S}, in pieces of about 64 KiB. */
  body: string[];
  entries: number;
  next: number;
  serial: number;
}

export async function buildSyncPage(store: ZoneStore, since: number, limit: number, maxBytes = SYNC_PAGE_BYTES, subtree?: SubtreeIndex): Promise<SyncPage> {
  const parts: string[] = [];
  let bytes = 0;
  /** Takes the entry's JSON unless the page is full (one entry always fits: a page is never empty). */
  const take = (json: string) => {
    const n = Buffer.byteLength(json) + 1;
    if (parts.length > 0 && bytes + n > maxBytes) return false;
    parts.push(json);
    bytes += n;
    return true;
  };
  const at = splitCursor(since, subtree?.serial ?? 0);
  let full = false;
  const own = await store.visitChanges(at.own, (e) => {
    if (parts.length >= limit) return !(full = true);
    if (!visibleTo(e.record, REGISTRY)) return true; // taken (skipped), so `next` moves past it
    // (a delete carries its signed unpublish when the store kept one: sync-entries.ts)
    return take(JSON.stringify(syncOwnEntry(joinCursor({ own: e.seq, sub: at.sub }), e))) || !(full = true);
  });
  let sub = { next: at.sub, serial: subtree?.serial ?? 0 };
  if (subtree && !full && own.next >= own.serial) {
    sub = await subtree.visitChanges(at.sub, (e) => {
      if (parts.length >= limit) return false;
      return take(JSON.stringify(syncRefEntry(joinCursor({ own: own.next, sub: e.seq }), e)));
    });
  }
  const next = joinCursor({ own: own.next, sub: sub.next });
  const serial = joinCursor({ own: own.serial, sub: sub.serial });
  const body: string[] = [];
  for (let i = 0, size = 0, from = 0; i <= parts.length; i++) {
    if (i === parts.length || size > 64 * 1024) {
      body.push((from === 0 ? '{"entries":[' : ',') + parts.slice(from, i).join(','));
      from = i;
      size = 0;
    }
    size += parts[i]?.length ?? 0;
  }
  body.push(`],"next":${next},"serial":${serial}}`);
  return { body, entries: parts.length, next, serial };
}

/** At most `max` holders at once; up to `queue` more wait up to `waitMs`, the rest are refused. */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max = SYNC_BUILDS, private readonly queue = QUEUE, private readonly waitMs = WAIT_MS) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await this.wait();
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private wait(): Promise<void> {
    const busy = () => new StewardError('UNAVAILABLE', 'too many sync pages are being built; retry shortly', { retryAfter: 1 });
    if (this.waiting.length >= this.queue) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(busy());
      }, this.waitMs);
      this.waiting.push(go);
    });
  }
}

// The audit log of federation events (SPEC §3 `GET /v1/audit`, §6 conflicts): who
// registered, renewed or was revoked, what was pushed and pulled, which write lost a
// conflict, which signed request was refused and why. Append-only to its callers; durable
// on the store's crash-tested AppendLog (<data-dir>/audit), kept in memory as the newest
// entries up to a bound in entries and bytes (older ones leave memory and, at the next
// compaction, the disk: retention is documented in README). Without a directory it is
// memory only. Appending never fails the caller's request: a write failure is logged.
import { AppendLog, type LogEntry, type StoreLogger } from '../store/append-log.js';

export type AuditKind =
  | 'register' | 'renew' | 'revoke' | 'invite'
  | 'push' | 'pull' | 'sync'
  | 'conflict' | 'partition' | 'refused';

export const AUDIT_KINDS: readonly AuditKind[] = ['register', 'renew', 'revoke', 'invite', 'push', 'pull', 'sync', 'conflict', 'partition', 'refused'];

export interface AuditEntry extends LogEntry {
  seq: number;
  /** ISO time of the event. */
  at: string;
  kind: AuditKind;
  /** The other party: a zone, replica id or client address. */
  peer?: string;
  /** One line a human reads. */
  detail: string;
  /** Structured facts of the event (the losing record of a conflict, a refusal's code...). */
  data?: Record<string, unknown>;
}

export interface AuditQuery {
  /** Entries with seq > sinceSeq. */
  sinceSeq?: number;
  /** Entries at or after this time (ms since epoch). */
  sinceMs?: number;
  kinds?: readonly AuditKind[];
  limit?: number;
}

export interface AuditOptions {
  dir?: string;
  fsync?: boolean;
  log?: StoreLogger;
  /** Entries kept (memory, and disk after compaction); default 100,000. */
  maxEntries?: number;
  /** Bytes kept likewise (JSON size); default 64 MiB. */
  maxBytes?: number;
}

const MAX_DETAIL = 1_000;
const MAX_DATA_BYTES = 16 * 1024;

export class AuditLog {
  private readonly entries: { e: AuditEntry; bytes: number }[] = [];
  private head = 0; // index of the oldest kept entry in `entries`
  private bytes = 0;
  private seq = 0;
  private compacting = false;
  private readonly listeners: ((e: AuditEntry) => void)[] = [];

  private constructor(private readonly log: AppendLog<AuditEntry> | undefined, private readonly opts: Required<Pick<AuditOptions, 'maxEntries' | 'maxBytes'>> & AuditOptions) {}

  static async open(opts: AuditOptions = {}): Promise<AuditLog> {
    const o = { maxEntries: 100_000, maxBytes: 64 * 1024 * 1024, ...opts };
    const replayed: AuditEntry[] = [];
    const log = opts.dir
      ? await AppendLog.open<AuditEntry>({
        dir: opts.dir,
        fsync: opts.fsync ?? true,
        log: opts.log,
        onSnapshotItem: (item) => replayed.push(JSON.parse(item.toString('utf8')) as AuditEntry),
        onEntry: (e) => replayed.push(e),
      })
      : undefined;
    const audit = new AuditLog(log, o);
    replayed.sort((a, b) => a.seq - b.seq);
    for (const e of replayed) if (e.seq > audit.seq) audit.keep(e);
    audit.seq = Math.max(audit.seq, log?.lastSeq ?? 0);
    return audit;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Records an event; returns it at once (it is on disk shortly after; see `durable`). */
  append(kind: AuditKind, fields: { peer?: string; detail: string; data?: Record<string, unknown> }, now = Date.now()): AuditEntry {
    const e: AuditEntry = { seq: ++this.seq, at: new Date(now).toISOString(), kind, detail: fields.detail.slice(0, MAX_DETAIL) };
    if (fields.peer) e.peer = fields.peer.slice(0, 300);
    if (fields.data) {
      const json = JSON.stringify(fields.data);
      e.data = json.length <= MAX_DATA_BYTES ? fields.data : { truncated: true, bytes: json.length };
    }
    this.keep(e);
    this.log?.append(e).catch((err) => this.opts.log?.error({ err, seq: e.seq, kind }, 'audit entry not written'));
    for (const fn of this.listeners) fn(e);
    this.maybeCompact();
    return e;
  }

  /** Called for every new entry (metrics, alerts). */
  onAppend(fn: (e: AuditEntry) => void): void {
    this.listeners.push(fn);
  }

  /** Oldest first, after the cursor; `next` is the seq to pass as sinceSeq for the following page. */
  query(q: AuditQuery = {}): { entries: AuditEntry[]; next: number | null } {
    const limit = Math.max(1, Math.min(q.limit ?? 100, 1_000));
    const kinds = q.kinds?.length ? new Set(q.kinds) : undefined;
    const out: AuditEntry[] = [];
    let i = this.firstAfter(q.sinceSeq ?? 0);
    for (; i < this.entries.length && out.length < limit; i++) {
      const { e } = this.entries[i]!;
      if (q.sinceMs !== undefined && Date.parse(e.at) < q.sinceMs) continue;
      if (kinds && !kinds.has(e.kind)) continue;
      out.push(e);
    }
    const more = i < this.entries.length;
    return { entries: out, next: more && out.length ? out.at(-1)!.seq : null };
  }

  /** Resolves once every entry so far is on disk. */
  async durable(): Promise<void> {
    await this.log?.durable();
  }

  async close(): Promise<void> {
    await this.log?.close();
  }

  private firstAfter(seq: number): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.e.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private keep(e: AuditEntry) {
    const bytes = JSON.stringify(e).length;
    this.entries.push({ e, bytes });
    this.bytes += bytes;
    this.seq = Math.max(this.seq, e.seq);
    while (this.size > this.opts.maxEntries || (this.bytes > this.opts.maxBytes && this.size > 1)) {
      this.bytes -= this.entries[this.head]!.bytes;
      this.head++;
    }
    if (this.head > 4_096 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Once the log holds twice what is kept, a snapshot of the kept entries replaces it. */
  private maybeCompact() {
    const log = this.log;
    if (!log || this.compacting || log.entriesSinceSnapshot < 1_000 || log.entriesSinceSnapshot < 2 * this.size) return;
    this.compacting = true;
    const items = this.entries.slice(this.head).map(({ e }) => Buffer.from(JSON.stringify(e)));
    log.snapshot(items).catch((err) => this.opts.log?.warn({ err }, 'audit compaction failed')).finally(() => (this.compacting = false));
  }
}

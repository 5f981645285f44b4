// The push outbox (README.md): what this zone sends up to its parent — its own public
// changes and what its subtree index accepted from children (forwarding) — or to one
// sibling replica of its zone (role 'replica': what came from children) waits in a
// durable queue (outbox-queue.ts) and is delivered by `send` (pushToParent) in batches
// (up to 500 entries / 256 KiB; whatever queued while a push was in flight goes in the
// next one). While the parent is down or refuses for a passing reason (network, timeout,
// 5xx, 401, 408, 429) the head batch is retried with capped exponential backoff and full
// jitter (after a timeout, in halves: the parent may not take that much in time). Entries the parent rejects one by one (200 with `rejected`) are dropped with an
// audit entry. A whole push refused as bad (400, 403, 413, 422...) is split in halves
// until the bad entry is alone, which is then dropped with an audit entry, so one bad
// entry never blocks the queue and nothing is retried forever.
import type { AuditLog } from '../../audit/index.js';
import { StewardError } from '../../errors/index.js';
import type { FederationHealth, PeerRole } from '../../health/index.js';
import { isTimeout } from '../../peer/index.js';
import type { PushEntry } from './entries.js';
import type { OutboxQueue, QueuedEntry } from './outbox-queue.js';
import type { PushResult } from './send.js';

export interface OutboxOptions {
  queue: OutboxQueue;
  /** Delivers one batch to the parent (`attempt` counts failures in a row: rotate endpoints by it). */
  send(entries: PushEntry[], attempt: number): Promise<PushResult>;
  /** Who receives: the parent's zone, or (role 'replica') a sibling replica's id; health and audit name it. */
  parentZone: string;
  /** The receiver's role in health (default 'parent'). */
  role?: PeerRole;
  /** Called whenever the queue's size changes; default: `health.outboxDepth` = this queue's size. */
  onDepth?: (size: number) => void;
  audit: AuditLog;
  health: FederationHealth;
  log?: { warn(obj: object, msg: string): void };
  batchEntries?: number;
  batchBytes?: number;
  /** Backoff: first delay and cap (ms). */
  retryBaseMs?: number;
  retryCapMs?: number;
}

/** HTTP statuses after which the same push would fail the same way: split, then drop. */
const PERMANENT = new Set([400, 403, 404, 409, 413, 422]);

export function isPermanent(err: unknown): boolean {
  const status = err instanceof StewardError ? err.extra.peer_status : undefined;
  return typeof status === 'number' && PERMANENT.has(status);
}

/** Capped exponential backoff with full jitter: a delay in [d/2, d], d = min(cap, base·2^n). */
export function backoffMs(failures: number, baseMs: number, capMs: number, random = Math.random): number {
  const d = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
  return Math.round(d / 2 + random() * (d / 2));
}

export class Outbox {
  private readonly q: OutboxQueue;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private failures = 0;
  /** Entries per push now (halved while a push is refused as bad). */
  private limit: number;
  private wasFull = false;
  /** Entries delivered (accepted or duplicate), rejected by the parent, and pushes made. */
  readonly stats = { delivered: 0, rejected: 0, pushes: 0, dropped: 0, failures: 0, splits: 0 };

  constructor(private readonly o: OutboxOptions) {
    this.q = o.queue;
    this.limit = o.batchEntries ?? 500;
    this.depth();
  }

  get depthNow(): number {
    return this.q.size;
  }

  get queue(): OutboxQueue {
    return this.q;
  }

  /** Queues an entry for the parent and starts delivery if idle. */
  enqueue(entry: PushEntry): void {
    if (this.closed) return;
    const r = this.q.add(entry);
    if (r === 'full') this.full(entry);
    else this.wasFull = false;
    this.depth();
    this.kick();
  }

  /** Starts delivering what is queued (at start: what a previous run left). */
  kick(): void {
    if (this.closed || this.running || this.timer || this.q.size === 0) return;
    this.running = this.drain().finally(() => (this.running = undefined));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.q.close();
  }

  private async drain(): Promise<void> {
    const max = this.o.batchEntries ?? 500;
    while (!this.closed && this.q.size > 0) {
      const batch = this.q.take(this.limit, this.o.batchBytes ?? 256 * 1024);
      if (!batch.length) return;
      let result: PushResult;
      try {
        this.stats.pushes++;
        result = await this.o.send(batch.map((b) => b.entry), this.failures);
      } catch (err) {
        if (isPermanent(err)) {
          if (batch.length > 1) {
            this.stats.splits++;
            this.q.release(batch);
            this.limit = Math.max(1, Math.floor(batch.length / 2));
            continue;
          }
          this.settle(batch, { accepted: 0, duplicates: 0, rejected: [{ id: batch[0]!.id, code: String((err as StewardError).extra.peer_code ?? 'REFUSED'), detail: (err as Error).message }] });
          continue;
        }
        this.q.release(batch);
        this.stats.failures++;
        // A push that timed out may be too big for the parent to take in time: smaller ones next.
        if (isTimeout(err)) this.limit = Math.max(1, Math.floor(batch.length / 2));
        this.o.health.failed(this.o.parentZone, this.role, err);
        if (this.failures === 0) this.o.log?.warn({ err, [this.role]: this.o.parentZone, queued: this.q.size }, `push to ${this.role} failed; retrying with backoff`);
        this.failures++;
        if (!this.closed) {
          const ms = backoffMs(this.failures - 1, this.o.retryBaseMs ?? 250, this.o.retryCapMs ?? 30_000);
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.kick();
          }, ms);
          this.timer.unref();
        }
        return;
      }
      this.failures = 0;
      this.o.health.ok(this.o.parentZone, this.role);
      this.settle(batch, result);
      if (this.limit < max) this.limit = Math.min(max, this.limit * 2);
    }
  }

  /** The batch is done with: delivered, and what the parent rejected dropped with an audit entry. */
  private settle(batch: QueuedEntry[], r: PushResult) {
    this.q.done(batch);
    this.depth();
    this.stats.delivered += r.accepted + r.duplicates;
    if (!r.rejected.length) return;
    this.stats.rejected += r.rejected.length;
    this.o.audit.append('push', {
      peer: this.o.parentZone,
      detail: `${this.o.parentZone} rejected ${r.rejected.length} pushed entr${r.rejected.length === 1 ? 'y' : 'ies'} (${r.rejected[0]!.code}: ${r.rejected[0]!.id}); dropped from the outbox, not retried`,
      data: { rejected: r.rejected.slice(0, 20), count: r.rejected.length },
    });
  }

  private full(entry: PushEntry) {
    this.stats.dropped++;
    if (this.wasFull) return; // one audit entry per episode, not one per entry
    this.wasFull = true;
    const id = entry.op === 'put' ? entry.ref.id : entry.id;
    this.o.audit.append('push', {
      peer: this.o.parentZone,
      detail: `push outbox full (${this.q.size} entries, ${this.q.bytes} bytes): ${id} and further changes are not queued until it drains; ${this.role === 'parent' ? "the parent's pull" : "the replica's own pull of the children"} repairs them`,
      data: { queued: this.q.size, bytes: this.q.bytes, max_entries: this.q.maxEntries, max_bytes: this.q.maxBytes, first_dropped: id },
    });
  }

  private depth() {
    if (this.o.onDepth) this.o.onDepth(this.q.size);
    else this.o.health.outboxDepth = this.q.size;
  }

  private get role(): PeerRole {
    return this.o.role ?? 'parent';
  }
}

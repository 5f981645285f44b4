// The pull loop (README.md, SPEC §6): every interval, this parent pulls each child's signed
// GET /v1/sync, resuming after the last seq it applied (a cursor per child, durable in
// <data-dir>/pull), page after page until caught up (next = serial) or a round's page cap.
// Every entry is checked like a push (push/entries.ts: place below the child, JWS,
// digest, visibility) and applied into the subtree index, whose onApplied forwards it up
// through the outbox like a pushed one. The cursor moves only after the page's entries
// are durable. A child that fails is marked down in ctx.health and tried again next round.
import type { AuditLog } from '../../audit/index.js';
import type { FederationHealth } from '../../health/index.js';
import type { PeerClient } from '../../peer/index.js';
import { DurableTable } from '../../store/table.js';
import type { Delegations, DelegationEntry } from '../../topology/delegations.js';
import { checkPushEntries, type PushEntry, type Rejected } from '../push/entries.js';
import type { SubtreeIndex } from '../subtree/index.js';
import { pullPage } from './pull-page.js';

interface Cursor { since: number; at: string }

export interface PullerOptions {
  rootDomain: string;
  delegations: Delegations;
  subtree: SubtreeIndex;
  signed: PeerClient;
  audit: AuditLog;
  health: FederationHealth;
  log?: { warn(obj: object, msg: string): void };
  /** Where the cursors live; absent = memory only. */
  dir?: string;
  fsync?: boolean;
  intervalMs: number;
  /** Entries asked per page (the child caps pages by bytes too). Default 10,000. */
  pageLimit?: number;
  /** Pages per child per round at most (the rest next round). Default 10,000. */
  maxPages?: number;
  /** Delay before the first round (default: the interval). */
  firstRoundMs?: number;
}

export interface ChildPull {
  zone: string; ok: boolean; pages: number; applied: number; duplicates: number; rejected: number; since: number; error?: string;
  /** Where the time went (ms): waiting for pages, checking entries, applying them durably. */
  ms: { fetch: number; check: number; apply: number };
}

export class Puller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ChildPull[]> | undefined;
  private closed = false;
  rounds = 0;

  private constructor(private readonly o: PullerOptions, private readonly cursors: DurableTable<Cursor>) {}

  static async open(o: PullerOptions): Promise<Puller> {
    const check = (v: unknown): Cursor => {
      const c = v as Cursor;
      if (!c || !Number.isSafeInteger(c.since) || c.since < 0) throw new Error('bad pull cursor');
      return c;
    };
    return new Puller(o, await DurableTable.open<Cursor>({ dir: o.dir, fsync: o.fsync, check }));
  }

  /** The seq after which the next pull of `zone` resumes. */
  cursor(zone: string): number {
    return this.cursors.get(zone)?.since ?? 0;
  }

  start(): void {
    this.schedule(this.o.firstRoundMs ?? this.o.intervalMs);
  }

  /** One round now (or joins the one running): every active child, one after the other. */
  round(): Promise<ChildPull[]> {
    this.running ??= this.runRound().finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.cursors.close();
  }

  private schedule(ms: number) {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.round().catch(() => undefined).finally(() => this.schedule(this.o.intervalMs));
    }, ms);
    this.timer.unref();
  }

  private async runRound(): Promise<ChildPull[]> {
    const out: ChildPull[] = [];
    for (const d of this.o.delegations.list()) {
      if (this.closed) break;
      out.push(await this.pullChild(d));
    }
    this.rounds++;
    return out;
  }

  private async pullChild(d: DelegationEntry): Promise<ChildPull> {
    const { health, audit } = this.o;
    const r: ChildPull = { zone: d.zone, ok: false, pages: 0, applied: 0, duplicates: 0, rejected: 0, since: this.cursor(d.zone), ms: { fetch: 0, check: 0, apply: 0 } };
    const rejected: Rejected[] = [];
    for (const [i, ep] of d.endpoints.entries()) {
      try {
        await this.pages(d.zone, ep.url, r, rejected);
        r.ok = true;
        health.ok(d.zone, 'child', { url: ep.url, syncedMs: Date.now() });
        break;
      } catch (err) {
        if (i === d.endpoints.length - 1 || this.closed) {
          const wasUp = health.list('child').find((p) => p.key === d.zone)?.up ?? true;
          health.failed(d.zone, 'child', err, { url: ep.url });
          r.error = (err as Error).message;
          if (wasUp) {
            audit.append('pull', { peer: d.zone, detail: `pull from ${d.zone} failed: ${r.error}; retried next round`, data: { since: this.cursor(d.zone), applied: r.applied } });
            this.o.log?.warn({ err, child: d.zone }, 'pull from child failed');
          }
        }
      }
    }
    if (r.applied || r.rejected) {
      audit.append('pull', {
        peer: d.zone,
        detail: `pulled ${d.zone}: ${r.applied} applied, ${r.duplicates} already held, ${r.rejected} rejected, from seq ${r.since} to ${this.cursor(d.zone)}`,
        data: { applied: r.applied, duplicates: r.duplicates, rejected: r.rejected, pages: r.pages, from: r.since, to: this.cursor(d.zone), ...(rejected.length ? { first_rejected: rejected.slice(0, 20) } : {}) },
      });
    }
    return r;
  }

  /**
   * Pages of one child from its cursor until caught up (or the page cap). The next page is
   * asked for while this one is checked and applied, and a page's entries are checked
   * (signatures on the thread pool) while the page before is still being applied (its
   * fsync): applies stay in page order, and the cursor moves only after a page's apply.
   */
  private async pages(zone: string, url: string, r: ChildPull, rejected: Rejected[]) {
    const limit = this.o.pageLimit ?? 10_000;
    const fetch = (since: number) => {
      const p = pullPage(this.o.signed, url, since, limit);
      p.catch(() => undefined); // (awaited below, or dropped when the round stops)
      return p;
    };
    let since = this.cursor(zone);
    let next = fetch(since);
    let applying: Promise<void> = Promise.resolve();
    try {
      for (let n = 0; n < (this.o.maxPages ?? 10_000) && !this.closed; n++) {
        let t = performance.now();
        const page = await next;
        r.ms.fetch += performance.now() - t;
        r.pages++;
        if (page.serial < since) {
          // The child's log is shorter than where we were (it lost data or was rebuilt): start over.
          await applying;
          this.o.audit.append('pull', { peer: zone, detail: `${zone}'s sync serial ${page.serial} is below our cursor ${since}; pulling it again from the start` });
          await this.cursors.put(zone, { since: 0, at: new Date().toISOString() });
          next = fetch((since = 0));
          continue;
        }
        const more = page.entries > 0 && page.next < page.serial;
        if (more) next = fetch(page.next);
        t = performance.now();
        const checking = checkPushEntries(page.candidates, { rootDomain: this.o.rootDomain, sender: zone }).finally(() => (r.ms.check += performance.now() - t));
        checking.catch(() => undefined); // (awaited below, unless the apply before failed)
        await applying;
        const { good, rejected: bad } = await checking;
        r.rejected += bad.length;
        for (const x of bad) if (rejected.length < 20) rejected.push(x);
        const to = page.next > since ? page.next : undefined;
        if (to !== undefined) since = to;
        applying = this.applyPage(zone, good, to, r, rejected);
        applying.catch(() => undefined); // (awaited before the next page's entries, and at the end)
        if (!more) return;
      }
    } finally {
      await applying;
    }
  }

  /** Applies a page's checked entries durably, then moves the cursor to `to`. */
  private async applyPage(zone: string, good: PushEntry[], to: number | undefined, r: ChildPull, rejected: Rejected[]) {
    const t = performance.now();
    const applied = good.length ? await this.o.subtree.apply(zone, good) : { accepted: 0, duplicates: 0, rejected: [] };
    r.applied += applied.accepted;
    r.duplicates += applied.duplicates;
    r.rejected += applied.rejected.length;
    for (const x of applied.rejected) if (rejected.length < 20) rejected.push(x);
    if (to !== undefined) await this.cursors.put(zone, { since: to, at: new Date().toISOString() });
    r.ms.apply += performance.now() - t;
  }
}

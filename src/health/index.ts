// Federation health: what this node knows of the registries it exchanges with (its
// parent, its children, its zone's other replicas), how far behind each child's changes
// are, whether a partition is detected, and how many conflicts it resolved recently.
// The parts that talk to peers report here (push outbox, pull loop, anti-entropy); the
// metrics (/metrics) and alerts (/v1/alerts) read it. State only, in memory, bounded by
// the number of peers a zone has.

export type PeerRole = 'parent' | 'child' | 'replica';

export interface PeerHealth {
  /** Zone (parent, child) or replica id. */
  key: string;
  role: PeerRole;
  url?: string;
  up: boolean;
  /** Since when `up` has had its current value (ms since epoch). */
  since: number;
  lastOkMs?: number;
  lastError?: string;
  lastErrorMs?: number;
  /** Failures in a row. */
  failures: number;
  /** For a child: when its newest change was applied here (ms); lag is measured from it. */
  syncedMs?: number;
}

export interface PartitionState { peer: string; since: number; detail: string }

const CONFLICT_WINDOW_MS = 3_600_000;
const MAX_CONFLICT_STAMPS = 100_000;

export class FederationHealth {
  private readonly peers = new Map<string, PeerHealth>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly conflictStamps: number[] = [];
  private conflictTotal = 0;
  /** Entries waiting in the push outbox (set by the outbox). */
  outboxDepth = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A successful exchange with a peer. `syncedMs`: a pull or push that brought it up to date. */
  ok(key: string, role: PeerRole, info: { url?: string; syncedMs?: number } = {}): void {
    const p = this.peer(key, role, info.url);
    const t = this.now();
    if (!p.up) { p.up = true; p.since = t; }
    p.failures = 0;
    p.lastOkMs = t;
    if (info.syncedMs !== undefined) p.syncedMs = info.syncedMs;
  }

  /** A failed exchange (timeout, refusal, bad answer). */
  failed(key: string, role: PeerRole, err: unknown, info: { url?: string } = {}): void {
    const p = this.peer(key, role, info.url);
    const t = this.now();
    if (p.up) { p.up = false; p.since = t; }
    p.failures++;
    p.lastError = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    p.lastErrorMs = t;
  }

  /** A peer known (from delegations or the zone file) before any exchange: counted as up until one fails. */
  known(key: string, role: PeerRole, url?: string): void {
    this.peer(key, role, url);
  }

  forget(key: string): void {
    this.peers.delete(key);
    this.partitions.delete(key);
  }

  list(role?: PeerRole): PeerHealth[] {
    return [...this.peers.values()].filter((p) => !role || p.role === role).map((p) => ({ ...p }));
  }

  /** Seconds since a child's changes were last brought up to date here; undefined if never. */
  lagSeconds(key: string): number | undefined {
    const p = this.peers.get(key);
    return p?.syncedMs === undefined ? undefined : Math.max(0, (this.now() - p.syncedMs) / 1000);
  }

  partition(peer: string, detected: boolean, detail = ''): void {
    if (!detected) this.partitions.delete(peer);
    else if (!this.partitions.has(peer)) this.partitions.set(peer, { peer, since: this.now(), detail });
  }

  get partitioned(): PartitionState[] {
    return [...this.partitions.values()];
  }

  conflict(): void {
    this.conflictTotal++;
    this.conflictStamps.push(this.now());
    if (this.conflictStamps.length > MAX_CONFLICT_STAMPS) this.conflictStamps.splice(0, this.conflictStamps.length - MAX_CONFLICT_STAMPS);
  }

  get conflicts(): number {
    return this.conflictTotal;
  }

  conflictsLastHour(): number {
    const from = this.now() - CONFLICT_WINDOW_MS;
    while (this.conflictStamps.length && this.conflictStamps[0]! < from) this.conflictStamps.shift();
    return this.conflictStamps.length;
  }

  private peer(key: string, role: PeerRole, url?: string): PeerHealth {
    let p = this.peers.get(key);
    if (!p) {
      p = { key, role, up: true, since: this.now(), failures: 0 };
      this.peers.set(key, p);
    }
    if (url) p.url = url;
    return p;
  }
}

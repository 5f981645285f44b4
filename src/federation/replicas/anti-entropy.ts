// Anti-entropy between the replicas of one zone (SPEC §6): every round, with each peer
// replica, compare digests (GET /v1/digest), list the buckets that differ
// (GET /v1/digest/entries, paged) and apply every version through the zone's one writer,
// which settles conflicts by decide(). Pull only: each replica pulls from the others, so
// a round on both sides exchanges both ways. Every call is signed, with a deadline and
// a body cap; every answer is validated (validate.ts). A round with a peer is bounded
// (MAX_PAGES); what is left waits for the next one.
// Partition: a replica that cannot reach a peer for three rounds in a row while it takes
// writes reports a partition (health + audit 'partition') until a clean round after the heal.
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/index.js';
import { StewardError } from '../../errors/index.js';
import type { FederationHealth } from '../../health/index.js';
import type { PeerClient } from '../../peer/index.js';
import type { ZoneWriter } from '../../store/writer.js';
import type { ReplicaDigest } from './digest.js';
import { digestFromReplica, pageFromReplica, versionFromReplica } from './validate.js';

export interface ReplicaPeer { id: string; url: string }

export const ANTI_ENTROPY = { timeoutMs: 5_000, digestBytes: 64 * 1024, pageBytes: 2 * 1024 * 1024 + 128 * 1024, pageEntries: 500, maxPages: 400, partitionRounds: 3 } as const;

interface PeerState { failures: number; writesAtFirstFailure: number; partitioned: boolean }

export interface AntiEntropyOptions {
  zone: string;
  namespace: string;
  peers: ReplicaPeer[];
  digest: ReplicaDigest;
  writer: ZoneWriter;
  signed?: PeerClient;
  audit: AuditLog;
  health: FederationHealth;
  log: Logger;
  intervalMs: number;
}

export class AntiEntropy {
  /** Rounds finished (tests wait on it); `started` counts those begun. */
  rounds = 0;
  started = 0;
  private readonly state = new Map<string, PeerState>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly o: AntiEntropyOptions) {
    for (const p of o.peers) {
      this.state.set(p.id, { failures: 0, writesAtFirstFailure: 0, partitioned: false });
      o.health.known(p.id, 'replica', p.url);
    }
  }

  start(): void {
    if (!this.o.peers.length || !this.o.signed || this.timer) return;
    const next = () => {
      if (this.closed) return;
      this.timer = setTimeout(() => void this.round().finally(next), this.o.intervalMs);
      this.timer.unref();
    };
    next();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One round with every peer (in parallel); a round already running is joined. */
  round(): Promise<void> {
    this.running ??= (async () => {
      this.started++;
      await Promise.all(this.o.peers.map((p) => this.withPeer(p)));
      this.rounds++;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async withPeer(peer: ReplicaPeer): Promise<void> {
    const { health, audit, writer } = this.o;
    const s = this.state.get(peer.id)!;
    try {
      const pulled = await this.pull(peer);
      health.ok(peer.id, 'replica', { url: peer.url, syncedMs: Date.now() });
      if (s.partitioned) {
        health.partition(peer.id, false);
        audit.append('partition', { peer: peer.id, detail: `partition with replica ${peer.id} healed: a clean anti-entropy round after ${s.failures} failed`, data: { healed: true, pulled } });
      }
      Object.assign(s, { failures: 0, partitioned: false });
    } catch (err) {
      if (this.closed) return;
      health.failed(peer.id, 'replica', err, { url: peer.url });
      if (s.failures++ === 0) s.writesAtFirstFailure = writer.localWrites;
      this.o.log.warn({ err, peer: peer.id, failures: s.failures }, 'anti-entropy round failed');
      if (!s.partitioned && s.failures >= ANTI_ENTROPY.partitionRounds && writer.localWrites > s.writesAtFirstFailure) {
        s.partitioned = true;
        const detail = `replica ${peer.id} unreachable for ${s.failures} anti-entropy rounds while this replica took ${writer.localWrites - s.writesAtFirstFailure} writes (split brain)`;
        health.partition(peer.id, true, detail);
        audit.append('partition', { peer: peer.id, detail, data: { detected: true, rounds: s.failures, error: (err as Error).message?.slice(0, 300) } });
      }
    }
  }

  /** Compares digests and pulls the differing buckets; returns how many versions were applied. */
  private async pull(peer: ReplicaPeer): Promise<number> {
    const signed = this.o.signed!;
    const res = await signed.signedJson('GET', new URL('/v1/digest', peer.url), undefined, { timeoutMs: ANTI_ENTROPY.timeoutMs, maxBodyBytes: ANTI_ENTROPY.digestBytes });
    if (res.status !== 200) throw new StewardError('SERVFAIL', `replica ${peer.id} answered GET /v1/digest with HTTP ${res.status}`);
    const theirs = digestFromReplica(res.json);
    const ours = this.o.digest.view();
    if (theirs.root === ours.root) return 0;
    const differ = theirs.hashes.flatMap((h, b) => (h !== ours.hashes[b] ? [b.toString(16).padStart(2, '0')] : []));
    let applied = 0;
    let after: string | null = null;
    for (let page = 0; page < ANTI_ENTROPY.maxPages; page++) {
      const url = new URL('/v1/digest/entries', peer.url);
      url.searchParams.set('buckets', differ.join(','));
      url.searchParams.set('limit', String(ANTI_ENTROPY.pageEntries));
      if (after) url.searchParams.set('after', after);
      const r = await signed.signedJson('GET', url, undefined, { timeoutMs: ANTI_ENTROPY.timeoutMs, maxBodyBytes: ANTI_ENTROPY.pageBytes });
      if (r.status !== 200) throw new StewardError('SERVFAIL', `replica ${peer.id} answered GET /v1/digest/entries with HTTP ${r.status}`);
      const { entries, next } = pageFromReplica(r.json, ANTI_ENTROPY.pageEntries);
      for (const raw of entries) {
        let version;
        try {
          version = await versionFromReplica(raw, this.o);
        } catch (err) {
          // One bad version is refused alone (and audited); the rest of the page still counts.
          this.o.audit.append('refused', { peer: peer.id, detail: `replica version refused: ${(err as Error).message.slice(0, 300)}`, data: { code: (err as StewardError).code ?? 'LAME_ANSWER' } });
          continue;
        }
        const out = await this.o.writer.replicated(version, peer.id).catch((err: Error) => {
          this.o.audit.append('refused', { peer: peer.id, detail: err.message.slice(0, 300), data: { code: (err as StewardError).code, id: version.record.id } });
          return undefined;
        });
        if (out?.applied) applied++;
      }
      if (next === null || entries.length === 0) break;
      after = next;
    }
    return applied;
  }
}


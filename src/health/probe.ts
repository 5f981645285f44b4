// Keeps FederationHealth's up/down current for peers nothing else talks to: every
// `intervalMs`, each registry the zone names (parent, children, replicas — summary.ts's
// namedPeers) that no exchange (push, pull, anti-entropy) reported a success for within
// the interval gets one GET /healthz (timeout and size cap from DEFAULTS.health). A 2xx
// answer is ok(), anything else — refusal, timeout, connection refused — failed(). Peers
// the sync loops already hear from cost nothing here.
import { DEFAULTS } from '../config/index.js';
import type { PeerClient } from '../peer/index.js';
import type { FederationHealth, PeerRole } from './index.js';

export interface ProbeOptions {
  health: FederationHealth;
  peers: () => { key: string; role: PeerRole; url?: string }[];
  client: PeerClient;
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export class HealthProbe {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  readonly intervalMs: number;

  constructor(private readonly o: ProbeOptions) {
    this.intervalMs = o.intervalMs ?? DEFAULTS.health.probeMs;
  }

  start(): void {
    if (this.timer || this.closed || this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One round (tests call it directly); a round still running is not doubled. */
  tick(): Promise<void> {
    this.running ??= this.round().catch((err) => this.o.onError?.(err)).finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async round() {
    const now = Date.now();
    const reported = new Map(this.o.health.list().map((p) => [p.key, p]));
    const due = this.o.peers().filter((p) => {
      if (!p.url) return false;
      const last = reported.get(p.key)?.lastOkMs;
      return last === undefined || now - last >= this.intervalMs;
    });
    const queue = [...due];
    const worker = async () => {
      for (let p = queue.shift(); p && !this.closed; p = queue.shift()) await this.probe(p.key, p.role, p.url!);
    };
    await Promise.all(Array.from({ length: Math.min(DEFAULTS.health.probeConcurrency, queue.length) }, worker));
  }

  private async probe(key: string, role: PeerRole, url: string) {
    try {
      const res = await this.o.client.call(new URL('/healthz', url), { timeoutMs: DEFAULTS.health.probeTimeoutMs, maxBodyBytes: DEFAULTS.health.probeMaxBodyBytes });
      if (this.closed) return;
      if (res.status >= 200 && res.status < 300) this.o.health.ok(key, role, { url });
      else this.o.health.failed(key, role, new Error(`GET /healthz answered ${res.status}`), { url });
    } catch (err) {
      if (!this.closed) this.o.health.failed(key, role, err, { url });
    }
  }
}

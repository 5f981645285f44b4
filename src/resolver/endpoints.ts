// Which endpoint of a zone to ask: the one with the lowest smoothed round-trip time
// (EWMA, as BIND does), with two ways for a once-slow endpoint to get another chance:
// the SRTT of endpoints not chosen decays a little on every choice, and a small share
// of questions goes to a random live endpoint. An endpoint that fails several times in
// a row is held down for a while and only asked when every endpoint of the zone is.
import { LRUCache } from 'lru-cache';

export interface EndpointState {
  srttMs: number;
  samples: number;
  consecutiveFailures: number;
  heldDownUntil: number;
}

export interface SelectorOptions {
  failuresBeforeHoldDown: number;
  holdDownMs: number;
  exploreRate: number;
  decay: number;
  timeoutMs: number;
  random?: () => number;
  now?: () => number;
}

const ALPHA = 0.3; // weight of a new sample in the SRTT

export class EndpointSelector {
  private readonly state = new LRUCache<string, EndpointState>({ max: 10_000 });
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly opts: SelectorOptions) {
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
  }

  private get(url: string): EndpointState {
    let s = this.state.get(url);
    if (!s) {
      // Never asked: SRTT 0 so it is tried before known-slow ones and gets measured.
      s = { srttMs: 0, samples: 0, consecutiveFailures: 0, heldDownUntil: 0 };
      this.state.set(url, s);
    }
    return s;
  }

  /** The order in which to try `urls`: live ones by SRTT (maybe one explored first), then held-down ones. */
  order(urls: string[]): string[] {
    const now = this.now();
    const unique = [...new Set(urls)];
    const live = unique.filter((u) => this.get(u).heldDownUntil <= now).sort((a, b) => this.get(a).srttMs - this.get(b).srttMs);
    const held = unique.filter((u) => this.get(u).heldDownUntil > now).sort((a, b) => this.get(a).heldDownUntil - this.get(b).heldDownUntil);
    if (live.length > 1 && this.random() < this.opts.exploreRate) {
      const i = 1 + Math.floor(this.random() * (live.length - 1));
      live.unshift(...live.splice(i, 1));
    }
    for (const u of live.slice(1)) this.get(u).srttMs *= this.opts.decay;
    return [...live, ...held];
  }

  success(url: string, rttMs: number) {
    const s = this.get(url);
    s.srttMs = s.samples === 0 ? rttMs : (1 - ALPHA) * s.srttMs + ALPHA * rttMs;
    s.samples++;
    s.consecutiveFailures = 0;
    s.heldDownUntil = 0;
  }

  failure(url: string, elapsedMs: number) {
    const s = this.get(url);
    // A failure costs at least what it took and pushes the endpoint behind working ones.
    s.srttMs = Math.min(Math.max(s.srttMs * 2, elapsedMs, 50), this.opts.timeoutMs * 2);
    s.samples++;
    s.consecutiveFailures++;
    if (s.consecutiveFailures >= this.opts.failuresBeforeHoldDown) s.heldDownUntil = this.now() + this.opts.holdDownMs;
  }

  isHeldDown(url: string): boolean {
    return (this.state.get(url)?.heldDownUntil ?? 0) > this.now();
  }

  snapshot(): Record<string, EndpointState> {
    const out: Record<string, EndpointState> = {};
    for (const [k, v] of this.state.entries()) out[k] = { ...v };
    return out;
  }
}

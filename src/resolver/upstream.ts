// Asking other registries: `GET <endpoint>/v1/resolve?name=N&rd=0` through the node's
// peer client (src/peer/: keep-alive, timeouts, overall deadline, body cap). The
// endpoints of a zone are tried in the order the selector gives (fastest first,
// held-down last) until one gives a well-formed answer (wire.ts).
import { StewardError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';
import { PeerClient, isTimeout, parseJson } from '../peer/index.js';
import type { RegionEndpoint } from '../records/types.js';
import { EndpointSelector, type EndpointState } from './endpoints.js';
import { upstreamOptions, type UpstreamOptions } from './options.js';
import type { LocalAnswer } from './types.js';
import { isLame, RESOLVER_HEADER, parseLocalAnswer, type Question } from './wire.js';

export interface Attempt {
  endpoint: string;
  rttMs: number;
  answer?: LocalAnswer;
  /** Size of the answer's body (for the cache's byte bound, without serialising again). */
  bytes?: number;
  error?: string;
  timedOut?: boolean;
}

export interface AskResult {
  answer: LocalAnswer;
  bytes?: number;
  endpoint: string;
  rttMs: number;
}

export interface UpstreamDeps {
  metrics?: Metrics;
  random?: () => number;
  now?: () => number;
  /** Who is asking (the node's zone), sent in the resolver header. */
  identity?: string;
  /** The federation's root domain: records' namespaces are checked exactly when known. */
  rootDomain?: string;
  /** The node's peer client (shared, closed by its owner); else the Upstream makes its own. */
  peer?: PeerClient;
  /** For a client of its own: loopback/private referral targets allowed (zone policy). */
  allowPrivate?: boolean;
}

function describe(err: unknown): string {
  if (isLame(err)) return `lame answer: ${(err as Error).message}`;
  if (err instanceof StewardError) return typeof err.extra.cause === 'string' ? err.extra.cause : err.message;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export class Upstream {
  readonly options: UpstreamOptions;
  private readonly peer: PeerClient;
  private readonly ownsPeer: boolean;
  private readonly selector: EndpointSelector;
  private readonly metrics?: Metrics;
  private readonly now: () => number;
  private readonly headers: Record<string, string>;
  private readonly rootDomain?: string;

  constructor(options: Partial<UpstreamOptions> = {}, { metrics, random, now = Date.now, identity = 'resolver', rootDomain, peer, allowPrivate = false }: UpstreamDeps = {}) {
    this.options = upstreamOptions(options);
    const { timeoutMs, maxBodyBytes } = this.options;
    this.ownsPeer = !peer;
    this.peer = peer ?? new PeerClient({ timeoutMs, maxBodyBytes, allowPrivate });
    this.selector = new EndpointSelector({ ...this.options, random, now });
    this.metrics = metrics;
    this.now = now;
    this.rootDomain = rootDomain;
    this.headers = { [RESOLVER_HEADER]: identity };
  }

  /**
   * Asks `zone` (at `endpoints`) about `name`. Resolves with the first well-formed
   * answer; rejects with UPSTREAM_TIMEOUT when every attempt timed out, else SERVFAIL.
   */
  async ask(zone: string, endpoints: RegionEndpoint[], name: string, onAttempt?: (a: Attempt) => void): Promise<AskResult> {
    const order = this.selector.order(endpoints.map((e) => e.url)).slice(0, this.options.maxAttempts);
    const failures: Attempt[] = [];
    for (const endpoint of order) {
      const attempt = await this.once(zone, endpoint, name);
      onAttempt?.(attempt);
      if (attempt.answer) return { answer: attempt.answer, bytes: attempt.bytes, endpoint, rttMs: attempt.rttMs };
      failures.push(attempt);
    }
    const detail = `no endpoint of ${zone} answered for ${name}: ${failures.map((f) => `${f.endpoint} (${f.error})`).join('; ') || 'no endpoints'}`;
    const allTimedOut = failures.length > 0 && failures.every((f) => f.timedOut);
    throw new StewardError(allTimedOut ? 'UPSTREAM_TIMEOUT' : 'SERVFAIL', detail, { zone });
  }

  private async once(zone: string, endpoint: string, name: string): Promise<Attempt> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    try {
      // Names are normalized (a-z 0-9 . -): nothing to escape.
      const base = endpoint.endsWith('/') ? endpoint.slice(0, -1) : endpoint;
      const url = new URL(`${base}/v1/resolve?rd=0&name=${name}`);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StewardError('LAME_ANSWER', `endpoint ${endpoint} is not http(s)`);
      const res = await this.peer.call(url, { headers: this.headers, timeoutMs: this.options.timeoutMs, maxBodyBytes: this.options.maxBodyBytes });
      const q: Question = { name, zone, rootDomain: this.rootDomain, allowPrivate: this.peer.allowPrivate };
      const answer = parseLocalAnswer(res.status, parseJson(res, url), q);
      const rttMs = elapsed();
      this.selector.success(endpoint, rttMs);
      this.count(zone, 'ok', rttMs);
      return { endpoint, rttMs, answer, bytes: res.body.length };
    } catch (err) {
      const rttMs = elapsed();
      const timedOut = isTimeout(err);
      this.selector.failure(endpoint, rttMs);
      this.count(zone, timedOut ? 'timeout' : isLame(err) ? 'lame' : 'error', rttMs);
      return { endpoint, rttMs, error: timedOut ? `timed out after ${Math.round(rttMs)} ms` : describe(err), timedOut };
    }
  }

  private count(zone: string, outcome: string, rttMs: number) {
    this.metrics?.upstreamRequests.inc({ zone, outcome });
    this.metrics?.upstreamLatency.observe({ zone }, rttMs / 1000);
  }

  /** Per-endpoint SRTT, failures and hold-down, for diagnostics and tests. */
  endpointStats(): Record<string, EndpointState & { heldDown: boolean }> {
    const now = this.now();
    return Object.fromEntries(Object.entries(this.selector.snapshot()).map(([k, v]) => [k, { ...v, heldDown: v.heldDownUntil > now }]));
  }

  /** Closes the peer client if it is this Upstream's own (a shared one is closed by the node). */
  async close(graceMs = 500): Promise<void> {
    if (this.ownsPeer) await this.peer.close(graceMs);
  }
}

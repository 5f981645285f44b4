// Asking other registries: `GET <endpoint>/v1/resolve?name=N&rd=0` over one keep-alive
// undici Agent. Every request is bounded (connect, headers, body and an overall abort
// signal). The endpoints of a zone are tried in the order the selector gives (fastest
// first, held-down last) until one gives a well-formed answer.
import { Agent, request } from 'undici';
import { StewardError } from '../errors/index.js';
import type { Metrics } from '../metrics/index.js';
import type { RegionEndpoint } from '../records/types.js';
import { EndpointSelector, type EndpointState } from './endpoints.js';
import { upstreamOptions, type UpstreamOptions } from './options.js';
import type { LocalAnswer } from './types.js';
import { isLame, RESOLVER_HEADER, parseLocalAnswer } from './wire.js';

export interface Attempt {
  endpoint: string;
  rttMs: number;
  answer?: LocalAnswer;
  error?: string;
  timedOut?: boolean;
}

export interface AskResult {
  answer: LocalAnswer;
  endpoint: string;
  rttMs: number;
}

export interface UpstreamDeps {
  metrics?: Metrics;
  random?: () => number;
  now?: () => number;
  /** Who is asking (the node's zone), sent in the resolver header. */
  identity?: string;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string; cause?: unknown };
  return e?.name === 'TimeoutError' || TIMEOUT_CODES.has(e?.code ?? '') || (!!e?.cause && isTimeout(e.cause));
}

function describe(err: unknown): string {
  if (isLame(err)) return `lame answer: ${(err as Error).message}`;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export class Upstream {
  readonly options: UpstreamOptions;
  private readonly agent: Agent;
  private readonly selector: EndpointSelector;
  private readonly metrics?: Metrics;
  private readonly now: () => number;
  private readonly headers: Record<string, string>;
  /** Aborted by close(): cuts off requests in flight. */
  private readonly closing = new AbortController();

  constructor(options: Partial<UpstreamOptions> = {}, { metrics, random, now = Date.now, identity = 'resolver' }: UpstreamDeps = {}) {
    this.options = upstreamOptions(options);
    const { timeoutMs } = this.options;
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs },
    });
    this.selector = new EndpointSelector({ ...this.options, random, now });
    this.metrics = metrics;
    this.now = now;
    this.headers = { accept: 'application/json', [RESOLVER_HEADER]: identity };
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
      if (attempt.answer) return { answer: attempt.answer, endpoint, rttMs: attempt.rttMs };
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
      const url = new URL('v1/resolve', endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StewardError('LAME_ANSWER', `endpoint ${endpoint} is not http(s)`);
      url.searchParams.set('name', name);
      url.searchParams.set('rd', '0');
      const res = await request(url, {
        dispatcher: this.agent,
        method: 'GET',
        headers: this.headers,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.closing.signal]),
      });
      const text = await readCapped(res.body, this.options.maxBodyBytes);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new StewardError('LAME_ANSWER', `HTTP ${res.statusCode} with a body that is not JSON`);
      }
      const answer = parseLocalAnswer(res.statusCode, body, { name, zone });
      const rttMs = elapsed();
      this.selector.success(endpoint, rttMs);
      this.count(zone, 'ok', rttMs);
      return { endpoint, rttMs, answer };
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

  /** Lets requests in flight finish for a moment, then cuts them off. */
  async close(graceMs = 500): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(r, graceMs, 'late')));
    const closing = this.agent.close().catch(() => undefined);
    if ((await Promise.race([closing, late])) === 'late') {
      this.closing.abort(new Error('upstream closed'));
      await closing;
    }
    clearTimeout(timer);
  }
}

async function readCapped(body: AsyncIterable<Buffer | string> & { destroy?: () => void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > max) {
      body.destroy?.();
      throw new StewardError('LAME_ANSWER', `answer larger than ${max} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// The one outbound client for everything a registry asks another registry (resolver
// rd=0 questions, discover, /v1/zone). Whatever comes back is hostile until validated,
// so every request here is bounded: a keep-alive undici Agent with connect, headers and
// body timeouts, one overall deadline per request, and a byte cap enforced while the
// body streams in (exchange.ts: a dispatch handler, cheaper per request than request()) (a declared Content-Length over the cap is refused before reading; a
// body that grows past it is cut off at once, never buffered). Failures are
// StewardErrors: UPSTREAM_TIMEOUT (any timeout), LAME_ANSWER (too large, not JSON),
// SERVFAIL (the network). Seams for what the identity work adds: `sign(req)` returns
// headers to add (RFC 9421 signing), `tls` is passed to the connector (mutual TLS).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { IncomingHttpHeaders } from 'node:http';
import type { SecureContext } from 'node:tls';
import { Agent } from 'undici';
import { StewardError } from '../errors/index.js';
import { isPrivateAddress } from './address.js';
import { Exchange } from './exchange.js';

export interface OutboundRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Returns the headers to add for `req` (e.g. Signature-Input, Signature, Content-Digest). */
export type RequestSigner = (req: OutboundRequest) => Record<string, string> | Promise<Record<string, string>>;

export interface TlsOptions {
  ca?: string | Buffer | (string | Buffer)[];
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
  /** Made once (cert, key, CAs): building one per connection from a CA list costs milliseconds. */
  secureContext?: SecureContext;
}

export interface PeerClientOptions {
  /** Per phase (connect, headers, body) and, by default, the whole request. */
  timeoutMs?: number;
  /** Largest body read, by default. */
  maxBodyBytes?: number;
  /** Loopback and private targets allowed (zone policy `upstreams.allow_private`). */
  allowPrivate?: boolean;
  /** Host names the operator configured (parent, root hints): exempt from the private-address check. */
  trustedHosts?: Iterable<string>;
  /** Headers sent on every request (accept, who is asking). */
  headers?: Record<string, string>;
  sign?: RequestSigner;
  tls?: TlsOptions;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

export interface PeerResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string; cause?: unknown };
  if (err instanceof StewardError) return err.code === 'UPSTREAM_TIMEOUT';
  return e?.name === 'TimeoutError' || TIMEOUT_CODES.has(e?.code ?? '') || (!!e?.cause && isTimeout(e.cause));
}

export class PeerClient {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly allowPrivate: boolean;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;
  private readonly sign?: RequestSigner;
  private readonly inFlight = new Set<Exchange>();
  private readonly settled = (x: Exchange) => void this.inFlight.delete(x);

  constructor({ timeoutMs = 2_000, maxBodyBytes = 1024 * 1024, allowPrivate = false, trustedHosts = [], headers = {}, sign, tls }: PeerClientOptions = {}) {
    if (!(timeoutMs > 0) || !(maxBodyBytes > 0)) throw new StewardError('BAD_CONFIG', 'peer client timeoutMs and maxBodyBytes must be positive');
    this.timeoutMs = timeoutMs;
    this.maxBodyBytes = maxBodyBytes;
    this.allowPrivate = allowPrivate;
    this.headers = { accept: 'application/json', ...headers };
    this.sign = sign;
    const trusted = new Set([...trustedHosts].map((h) => h.toLowerCase()));
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs, ...tls, ...(allowPrivate ? {} : { lookup: guardedLookup(trusted) }) },
    });
  }

  /** Any HTTP status comes back as a response; timeouts, the network and oversized bodies throw. */
  async call(url: URL | string, o: CallOptions = {}): Promise<PeerResponse> {
    const u = typeof url === 'string' ? new URL(url) : url;
    const timeoutMs = o.timeoutMs ?? this.timeoutMs;
    const max = o.maxBodyBytes ?? this.maxBodyBytes;
    const method = o.method ?? 'GET';
    let headers = o.headers ? { ...this.headers, ...o.headers } : this.headers;
    if (this.sign) headers = { ...headers, ...(await this.sign({ method, url: u, headers, body: o.body })) };
    const started = performance.now();
    const origin = u.origin;
    return new Promise<PeerResponse>((resolve, reject) => {
      const x = new Exchange(origin, max, timeoutMs, {
        done: (r) => resolve({ status: r.status, headers: r.headers, body: r.body, ms: performance.now() - started }),
        fail: (err) => reject(failure(err, u, timeoutMs)),
      }, this.settled);
      this.inFlight.add(x);
      this.agent.dispatch({ origin, path: `${u.pathname}${u.search}`, method: method as 'GET', headers, body: o.body }, x);
    });
  }

  /** call() and JSON.parse, with an error that names the peer when the body is not JSON. */
  async getJson(url: URL | string, o: CallOptions = {}): Promise<{ status: number; json: unknown; ms: number }> {
    const res = await this.call(url, o);
    return { status: res.status, json: parseJson(res, url), ms: res.ms };
  }

  /**
   * A signed JSON exchange with another registry (push, sync pulls): the body is sent as
   * JSON and the answer parsed; refused on a client without a `sign` hook, so a call SPEC
   * marks signed can never go out unsigned.
   */
  async signedJson(method: string, url: URL | string, body?: unknown, o: CallOptions = {}): Promise<{ status: number; json: unknown; ms: number }> {
    if (!this.sign) throw new StewardError('BAD_CONFIG', 'this peer client has no request signer (the node runs without a registry identity)');
    const bytes = body === undefined ? undefined : JSON.stringify(body);
    const headers = bytes === undefined ? o.headers : { 'content-type': 'application/json', ...o.headers };
    return this.getJson(url, { ...o, method, headers, body: bytes });
  }

  /** Lets requests in flight finish for a moment, then cuts them off. */
  async close(graceMs = 500): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(r, graceMs, 'late')));
    const closing = this.agent.close().catch(() => undefined);
    if ((await Promise.race([closing, late])) === 'late') {
      for (const x of this.inFlight) x.abort(new Error('peer client closed'));
      await this.agent.destroy().catch(() => undefined);
    }
    clearTimeout(timer);
  }
}

export function parseJson(res: PeerResponse, url: URL | string): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new StewardError('LAME_ANSWER', `${origin(url)} answered HTTP ${res.status} with a body that is not JSON`);
  }
}

function failure(err: unknown, url: URL, timeoutMs: number): StewardError {
  if (err instanceof StewardError) return err;
  if (isTimeout(err)) return new StewardError('UPSTREAM_TIMEOUT', `${url.origin} did not answer within ${timeoutMs} ms`);
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const why = e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new StewardError('SERVFAIL', `${url.origin}: ${why}`, { cause: why });
}

function origin(url: URL | string): string {
  try {
    return (typeof url === 'string' ? new URL(url) : url).origin;
  } catch {
    return String(url);
  }
}

/** dns.lookup that refuses private answers for names the operator did not configure. */
function guardedLookup(trusted: Set<string>) {
  return (hostname: string, options: object, cb: (err: Error | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const list = addresses as LookupAddress[];
      if (!trusted.has(hostname.toLowerCase()) && list.some((a) => isPrivateAddress(a.address))) {
        const refused = Object.assign(new Error(`${hostname} resolves to a loopback or private address (policy.upstreams.allow_private is off)`), { code: 'EPRIVATE' });
        return cb(refused, '', 0);
      }
      if ((options as { all?: boolean }).all) return cb(null, list);
      cb(null, list[0]!.address, list[0]!.family);
    });
  };
}

// The client's only way to talk to a registry. Every request is bounded by one total
// deadline (connect + headers + body): a registry that accepts the connection and then
// says nothing must not hang the command line. Network failures and 5xx become
// StewardErrors with a 5xx status, which the CLI maps to exit code 3.
// Built on node:http/https, not undici: loading undici from node_modules costs more CPU
// than the rest of a `steward resolve` (scripts/bench-cli.ts), node's own modules less.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { StewardError, type ErrorCode } from '../../errors/index.js';

export const DEFAULT_TIMEOUT_MS = 5_000;
const NDJSON = 'application/x-ndjson';
// A discover answer for a big federation is large, but never this large; a bigger body
// is a broken or hostile server, not data.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface HttpResponse {
  status: number;
  contentType: string;
  text: string;
  /** The parsed body when it was JSON, else undefined. */
  json: unknown;
  ms: number;
}

export interface CallOptions {
  body?: string;
  contentType?: string;
  /** Overrides the client's timeout for this call (latency probes use a shorter one). */
  timeoutMs?: number;
}

export class RegistryClient {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });

  constructor(readonly timeoutMs: number = DEFAULT_TIMEOUT_MS) {}

  /**
   * Sends the request; resolves with the response once its headers are in. One deadline
   * covers connect + headers + body: `done()` must be called when the body has been read.
   */
  private open(method: string, url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number) {
    const deadline = { timedOut: false, done: () => {} };
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(u, { method, headers, agent: secure ? this.https : this.http }, resolve);
      // A silent server, or one that stops halfway through the body, cannot hang the command.
      const timer = setTimeout(() => {
        deadline.timedOut = true;
        req.destroy(new Error('timeout'));
      }, timeoutMs);
      deadline.done = () => clearTimeout(timer);
      req.once('error', (err) => (clearTimeout(timer), reject(err)));
      req.end(body);
    });
    return { response, deadline };
  }

  /** Any HTTP status comes back as a response; only the network failing throws. */
  async call(method: string, url: string, opts: CallOptions = {}): Promise<HttpResponse> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (opts.contentType) headers['content-type'] = opts.contentType;
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const started = performance.now();
    let deadline: { timedOut: boolean; done(): void } | undefined;
    try {
      const sent = this.open(method, url, headers, opts.body, timeoutMs);
      deadline = sent.deadline;
      const res = await sent.response;
      const text = await readCapped(res, url);
      const contentType = typeOf(res);
      return { status: res.statusCode ?? 0, contentType, text, json: parseJson(text, contentType), ms: performance.now() - started };
    } catch (err) {
      if (err instanceof StewardError) throw err;
      throw networkError(err, url, timeoutMs, !!deadline?.timedOut);
    } finally {
      deadline?.done();
    }
  }

  /** Like call, but a 4xx/5xx becomes a thrown StewardError carrying the server's problem. */
  async callOk(method: string, url: string, opts: CallOptions = {}): Promise<HttpResponse> {
    const res = await this.call(method, url, opts);
    if (res.status >= 400) throw problemError(res, url);
    return res;
  }

  /**
   * GET an answer that may stream as NDJSON (discover with progress): every line but the
   * last goes to `onLine` as it arrives; the `{"answer": …}` line is returned as the JSON
   * body. A server that answers plain JSON (or a problem) is read as call() would.
   */
  async stream(url: string, onLine: (line: unknown) => void): Promise<HttpResponse> {
    const started = performance.now();
    let deadline: { timedOut: boolean; done(): void } | undefined;
    try {
      const sent = this.open('GET', url, { accept: `${NDJSON}, application/json, application/problem+json` }, undefined, this.timeoutMs);
      deadline = sent.deadline;
      const res = await sent.response;
      const contentType = typeOf(res);
      const statusCode = res.statusCode ?? 0;
      if (statusCode >= 400 || !contentType.includes(NDJSON)) {
        const text = await readCapped(res, url);
        return { status: statusCode, contentType, text, json: parseJson(text, contentType), ms: performance.now() - started };
      }
      let pending = '';
      let size = 0;
      let last: { text: string; json: unknown } | undefined;
      const take = (line: string) => {
        if (!line.trim()) return;
        const j = parseJson(line, 'json') as Record<string, unknown> | undefined;
        if (j && typeof j === 'object' && ('answer' in j || 'error' in j)) last = { text: line, json: j.answer ?? j.error };
        else onLine(j);
      };
      for await (const chunk of res as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          res.destroy();
          throw new StewardError('SERVFAIL', `the answer from ${url} is larger than ${MAX_BODY_BYTES} bytes`);
        }
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop()!;
        lines.forEach(take);
      }
      take(pending);
      const json = last?.json as Record<string, unknown> | undefined;
      // An {"error": problem} line is the registry failing after it began to answer.
      const status = json && typeof json.status === 'number' && !('results' in json) ? json.status : statusCode;
      return { status, contentType: 'application/json', text: last?.text ?? '', json, ms: performance.now() - started };
    } catch (err) {
      if (err instanceof StewardError) throw err;
      throw networkError(err, url, this.timeoutMs, !!deadline?.timedOut);
    } finally {
      deadline?.done();
    }
  }

  /** Drops every socket at once, including ones stuck on a silent server. */
  async close(): Promise<void> {
    this.http.destroy();
    this.https.destroy();
  }
}

function typeOf(res: IncomingMessage): string {
  const ct = res.headers['content-type'];
  return (Array.isArray(ct) ? ct[0] : ct) ?? '';
}

function readCapped(body: IncomingMessage, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        body.destroy();
        reject(new StewardError('SERVFAIL', `the answer from ${url} is larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
    body.once('aborted', () => reject(Object.assign(new Error('connection reset by the server'), { code: 'ECONNRESET' })));
  });
}

function parseJson(text: string, contentType: string): unknown {
  if (!/json/i.test(contentType) && !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function networkError(err: unknown, url: string, timeoutMs: number, aborted: boolean): StewardError {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const origin = safeOrigin(url);
  if (aborted || (code && TIMEOUT_CODES.has(code)) || e?.name === 'TimeoutError') {
    return new StewardError('UPSTREAM_TIMEOUT', `${origin} did not answer within ${timeoutMs} ms`, { url, shownTitle: 'Registry timed out' });
  }
  const why =
    code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host not found'
    : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'connection reset by the server'
    : `${e?.message ?? String(err)}${code ? ` [${code}]` : ''}`;
  return new StewardError('SERVFAIL', `cannot reach ${origin}: ${why}`, { url, shownTitle: 'Registry unreachable' });
}

/** A 2xx whose body is not what the API promises: the registry is broken, exit 3. */
export function badAnswer(res: HttpResponse, url: string, expected: string): StewardError {
  const snippet = res.text.replace(/\s+/g, ' ').trim().slice(0, 120);
  return new StewardError('SERVFAIL', `${safeOrigin(url)} sent HTTP ${res.status} without ${expected}${snippet ? `: ${snippet}` : ''}`, {
    shownTitle: 'Bad answer from registry',
    url,
  });
}

/** The server's problem+json as a StewardError; its own title is kept for printing. */
export function problemError(res: HttpResponse, url: string): StewardError {
  const p = (res.json && typeof res.json === 'object' ? res.json : {}) as Record<string, unknown>;
  const fallback: ErrorCode = res.status >= 500 ? 'SERVFAIL' : res.status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
  const code = typeof p.code === 'string' && p.code ? (p.code as ErrorCode) : fallback;
  const snippet = res.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  const detail =
    typeof p.detail === 'string' ? p.detail : `HTTP ${res.status} from ${safeOrigin(url)}${snippet ? `: ${snippet}` : ''}`;
  const title = typeof p.title === 'string' ? p.title : undefined;
  // The HTTP status decides the exit code, not whatever the body claims.
  return new StewardError(code, detail, { shownTitle: title, problem: res.json, url }, res.status);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * The namespace of the registry's zone, from its `GET /v1/zone`: what a signed manifest
 * or unpublish request must name (SPEC §2). An answer without one is the registry's fault.
 */
export async function zoneNamespace(client: RegistryClient, base: string): Promise<string> {
  const url = `${base}/v1/zone`;
  const ns = ((await client.callOk('GET', url)).json as { namespace?: unknown } | undefined)?.namespace;
  if (typeof ns !== 'string') throw new StewardError('LAME_ANSWER', `${url} did not say the zone's namespace`);
  return ns;
}

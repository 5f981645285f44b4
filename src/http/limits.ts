// Rate limits at the HTTP edge (policy and counting live in src/quota): the client a
// request comes from, the read limit as hono middleware (the fast path applies the same
// buckets itself), and the 429 the fast path sends without hono. A client over its read
// limit may send thousands of refused reads a second: the refusal is made once per
// Retry-After value (the problem+json bytes, the same as problemBody would render) and
// reused, so a refused read builds no StewardError (no stack trace) and no JSON.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { StewardError } from '../errors/index.js';
import type { NodeContext } from '../node/context.js';
import { PROBLEM_TYPE, problemBody } from './problem.js';

const incoming = (c: Context): IncomingMessage | undefined => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

/** The client behind a hono request; "local" for in-process requests (app.request()). */
export function clientOf(c: Context, ctx: NodeContext): string {
  const req = incoming(c);
  return req ? ctx.quota.clients.of(req) : 'local';
}

export function readLimited(retryAfter: number): StewardError {
  return new StewardError('RATE_LIMITED', `too many requests from this client; retry in ${retryAfter} s`, { retry_after: retryAfter });
}

interface Refusal {
  status: number;
  body: Buffer<ArrayBuffer>;
  /** The flat header list the fast path writes. */
  head: (string | number)[];
}

// Retry-After is whole seconds (1 up to the bucket's period): a handful of values, but
// the map is bounded all the same.
const refusals = new Map<number, Refusal>();
const KEPT_REFUSALS = 64;

function refusal(retryAfter: number): Refusal {
  let r = refusals.get(retryAfter);
  if (r === undefined) {
    const { status, body } = problemBody(readLimited(retryAfter));
    const bytes = Buffer.from(body) as Buffer<ArrayBuffer>;
    r = { status, body: bytes, head: ['content-type', PROBLEM_TYPE, 'content-length', bytes.length, 'retry-after', String(retryAfter)] };
    if (refusals.size >= KEPT_REFUSALS) refusals.delete(refusals.keys().next().value!);
    refusals.set(retryAfter, r);
  }
  return r;
}

/** Reads (GET, HEAD) count against the client's read bucket. */
export function readLimit(ctx: NodeContext): MiddlewareHandler {
  return async (c, next) => {
    const req = incoming(c);
    if (req && (req.method === 'GET' || req.method === 'HEAD')) {
      const wait = ctx.quota.read(req);
      if (wait > 0) {
        const r = refusal(wait);
        return new Response(r.body, { status: r.status, headers: { 'content-type': PROBLEM_TYPE, 'retry-after': String(wait) } });
      }
    }
    return next();
  };
}

/** The fast path's 429. */
export function sendReadLimited(res: ServerResponse, retryAfter: number) {
  const r = refusal(retryAfter);
  res.writeHead(r.status, r.head);
  res.end(r.body);
}

// Rate limits at the HTTP edge (policy and counting live in src/quota): the client a
// request comes from, the read limit as hono middleware (the fast path applies the same
// buckets itself), and the 429 the fast path sends without hono.
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

/** Reads (GET, HEAD) count against the client's read bucket. */
export function readLimit(ctx: NodeContext): MiddlewareHandler {
  return async (c, next) => {
    const req = incoming(c);
    if (req && (req.method === 'GET' || req.method === 'HEAD')) {
      const wait = ctx.quota.read(req);
      if (wait > 0) throw readLimited(wait);
    }
    return next();
  };
}

/** The fast path's 429. */
export function sendReadLimited(res: ServerResponse, retryAfter: number) {
  const { status, body } = problemBody(readLimited(retryAfter));
  res.writeHead(status, ['content-type', PROBLEM_TYPE, 'content-length', Buffer.byteLength(body), 'retry-after', String(retryAfter)]);
  res.end(body);
}

// The 64 KiB request body limit (SPEC §3: larger bodies get 413), without the cost hono's
// own bodyLimit puts on every POST: it first reads `c.req.raw.body`, which makes
// @hono/node-server build the full web Request (Headers, AbortSignal, a ReadableStream
// over the socket) that c.req.text() would otherwise skip by reading the socket directly.
// That was the largest single cost of a publish after the signature check itself.
// A request that declares its length is judged on that header alone, as hono does (node's
// HTTP parser holds the body to exactly that length); anything else, chunked bodies
// included, goes through hono's streaming check unchanged.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';

export interface BodyLimitOptions {
  maxSize: number;
  onError(c: Context): Response | Promise<Response>;
}

export function bodyLimit({ maxSize, onError }: BodyLimitOptions): MiddlewareHandler {
  const streaming = streamingBodyLimit({ maxSize, onError });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next(); // no body (hono: body is null)
    const headers = c.req.raw.headers;
    const length = headers.get('content-length');
    if (length !== null && !headers.has('transfer-encoding')) {
      return Number.parseInt(length, 10) > maxSize ? onError(c) : next();
    }
    return streaming(c, next);
  };
}

// The node's hot path: GET /v1/resolve straight on node:http's req/res, before hono.
// Building a web Request and Response, an AbortSignal and a middleware chain costs several
// times what a cache hit itself does (bench-resolve: ~120 µs of CPU per warm answer through
// hono vs ~30 µs for a bare node:http server). Semantics live in resolve-reply.ts, shared
// with the hono route; this file only decides which requests it may take, and it takes
// only those that hono would see byte for byte the same: a plain GET of exactly
// /v1/resolve whose request target and Host header @hono/node-server would use unchanged
// (anything it would normalise, validate or reject goes on to hono, as before).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeContext } from '../node/context.js';
import { audienceOf } from './audience.js';
import { sendReadLimited } from './limits.js';
import { resolveReply, type Reply } from './resolve-reply.js';

/** Handles the request and returns true, or returns false and leaves it untouched. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

const PATH = '/v1/resolve';
// The request targets and hosts @hono/node-server passes through without `new URL()`.
const PLAIN_TARGET = /^\/[!#$&-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

export function send(ctx: NodeContext, res: ServerResponse, r: Reply) {
  if (res.destroyed) return;
  try {
    // (a flat array: node:http walks it without the for-in an object needs)
    res.writeHead(r.status, ['content-type', r.type, 'content-length', typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.length]);
    res.end(r.body);
  } catch (err) {
    ctx.log.error({ err }, 'resolve fast path: could not send the answer');
    res.destroy();
  }
}

/**
 * A check for a plain GET of exactly `path` (with or without a query) whose request target
 * and Host header @hono/node-server would use unchanged: only those may skip hono.
 */
export function plainGet(path: string): (req: IncomingMessage) => boolean {
  // Every client of a node sends the same Host: the last one that passed the check is
  // remembered (a string comparison instead of a regex).
  let plainHost = '';
  return (req) => {
    const target = req.url;
    if (req.method !== 'GET' || !target || !target.startsWith(path)) return false;
    if (target.length !== path.length && target.charCodeAt(path.length) !== 63 /* ? */) return false;
    const host = req.headers.host;
    if (!host) return false;
    if (host !== plainHost) {
      if (!PLAIN_HOST.test(host)) return false;
      plainHost = host;
    }
    return PLAIN_TARGET.test(target) && !(target.includes('/.') && DOT_SEGMENT.test(target));
  };
}

/** The first of two fast paths that takes the request. */
export const firstOf = (a: FastPath, b: FastPath): FastPath => (req, res) => a(req, res) || b(req, res);

export function fastResolve(ctx: NodeContext): FastPath {
  const plain = plainGet(PATH);
  const quota = ctx.quota;
  return (req, res) => {
    if (!plain(req)) return false;
    const target = req.url!;
    // The client's read bucket: synchronous, a property read on a keep-alive socket.
    const wait = quota.read(req);
    if (wait !== 0) {
      sendReadLimited(res, wait);
      return true;
    }
    // (only the query is read: the target stands for the URL hono would build from it)
    const reply = resolveReply(ctx, { url: target, audience: audienceOf(ctx, req) });
    if (reply instanceof Promise) reply.then((r) => send(ctx, res, r));
    else send(ctx, res, reply);
    return true;
  };
}

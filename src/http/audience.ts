// Who is asking, for visibleTo() (src/records/visibility.ts): decided once per request
// from cheap facts, in this order:
//   1. the resolver header (RESOLVER_HEADER) or a signed request (Signature-Input):
//      another registry — outside, whatever its address (the demo runs every registry
//      on loopback, so the address alone cannot tell a registry from a local client);
//   2. the client's address (the socket's peer, or the nearest untrusted X-Forwarded-For
//      hop when the peer is a `trusted_proxies` proxy — src/quota/client.ts) in the
//      zone's `policy.internal_clients`: inside; else outside.
// Without a proxy in front the answer of step 2 is the same for every request of a
// keep-alive connection, so it is kept on the socket (one property read per request).
// In-process requests (app.request(), no socket) come from the node's own process: inside.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from 'hono';
import type { NodeContext } from '../node/context.js';
import { INSIDE, InternalClients, OUTSIDE, type Audience } from '../records/visibility.js';
import { RESOLVER_HEADER } from '../resolver/wire.js';
import { socketClient } from '../quota/client.js';

type Headers = IncomingMessage['headers'];

interface Rule {
  inside: InternalClients;
  /** Property under which a socket keeps its answer (one per node: a process may run several). */
  tag: symbol;
}

const rules = new WeakMap<NodeContext, Rule>();

function rule(ctx: NodeContext): Rule {
  let r = rules.get(ctx);
  if (!r) rules.set(ctx, (r = { inside: new InternalClients(ctx.config.policy.internalClients), tag: Symbol('steward.audience') }));
  return r;
}

/** True when the request says it comes from another registry. */
export function fromRegistry(headers: Headers): boolean {
  return headers[RESOLVER_HEADER] !== undefined || headers['signature-input'] !== undefined;
}

/** The audience of a direct client (step 2 above). */
export function clientAudience(ctx: NodeContext, req: Pick<IncomingMessage, 'socket' | 'headers'>): Audience {
  const r = rule(ctx);
  const clients = ctx.quota.clients;
  const socket = req.socket as Socket & Record<symbol, Audience | undefined>;
  if (!clients.trustsProxies || !clients.isTrusted(socketClient(socket))) {
    return (socket[r.tag] ??= r.inside.includes(socket.remoteAddress) ? INSIDE : OUTSIDE);
  }
  return r.inside.includes(clients.address(req)) ? INSIDE : OUTSIDE;
}

/** The audience of a raw node:http request (the resolve fast path). */
export function audienceOf(ctx: NodeContext, req: Pick<IncomingMessage, 'socket' | 'headers'>): Audience {
  return fromRegistry(req.headers) ? OUTSIDE : clientAudience(ctx, req);
}

/** The audience of a hono request. */
export function audienceOfContext(c: Context, ctx: NodeContext): Audience {
  if (c.req.header(RESOLVER_HEADER) !== undefined || c.req.header('signature-input') !== undefined) return OUTSIDE;
  const req = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return req ? clientAudience(ctx, req) : INSIDE;
}

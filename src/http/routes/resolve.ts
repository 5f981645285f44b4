// GET /v1/resolve?name=N[&rd=0][&trace=1] through hono (app.request(), and whatever the
// node's fast path in fast-resolve.ts leaves to the framework). Semantics: resolve-reply.ts.
import type { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { NodeContext } from '../../node/context.js';
import { audienceOfContext } from '../audience.js';
import { resolveReply } from '../resolve-reply.js';

export function resolveRoutes(app: Hono, ctx: NodeContext) {
  app.get('/v1/resolve', async (c) => {
    const r = await resolveReply(ctx, { url: c.req.url, audience: audienceOfContext(c, ctx) });
    return c.body(r.body, r.status as ContentfulStatusCode, { 'content-type': r.type });
  });
}

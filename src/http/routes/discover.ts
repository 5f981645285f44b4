// GET /v1/discover?q=Q&scope=S&sort=K&limit=L
// With `Accept: application/x-ndjson` the answer streams: one `{"registry": report}` line
// as each registry answers or fails, then `{"answer": <the JSON answer>}` (or
// `{"error": <problem>}`), so a client can show progress while slow registries work.
import type { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { StewardError } from '../../errors/index.js';
import type { NodeContext } from '../../node/context.js';
import { audienceOfContext } from '../audience.js';
import { intValue, oneOfValue } from '../body.js';

export const NDJSON = 'application/x-ndjson';

/** The query's parameters, as both this route and the fast path (fast-discover.ts) read them; BAD_REQUEST saying what is wrong. */
export function discoverQuery(read: (name: string) => string | undefined) {
  const q = (read('q') ?? '').trim();
  if (!q) throw new StewardError('BAD_REQUEST', 'query parameter q is required (a capability or keywords)');
  if (q.length > 256) throw new StewardError('BAD_REQUEST', 'query parameter q is longer than 256 characters');
  const scope = oneOfValue(read('scope'), 'scope', ['local', 'hierarchy', 'federated'] as const, 'hierarchy');
  const sort = oneOfValue(read('sort'), 'sort', ['trust', 'latency', 'name'] as const, 'trust');
  const limit = intValue(read('limit'), 'limit', 20, 1, 100);
  return { q, scope, sort, limit };
}

/** `Cache-Control: no-cache` on the request: ask every registry afresh. */
export const wantsNoCache = (header: string | undefined) => !!header && /(^|[\s,])no-cache($|[\s,;])/i.test(header);

export function discoverRoutes(app: Hono, ctx: NodeContext) {
  app.get('/v1/discover', async (c) => {
    const { q, scope, sort, limit } = discoverQuery((name) => c.req.query(name));
    const audience = audienceOfContext(c, ctx);
    const noCache = wantsNoCache(c.req.header('cache-control'));
    const started = performance.now();
    const observe = (status: string) => ctx.metrics.queryLatency.observe({ endpoint: 'discover', status }, (performance.now() - started) / 1000);
    if (!(c.req.header('accept') ?? '').includes(NDJSON)) {
      const answer = await ctx.discover(q, scope, sort, limit, audience, { noCache });
      observe('ok');
      return c.json(answer);
    }
    c.header('content-type', NDJSON);
    c.header('cache-control', 'no-store');
    return stream(c, async (s) => {
      const lines: Promise<unknown>[] = [];
      try {
        const answer = await ctx.discover(q, scope, sort, limit, audience, { noCache, onReport: (report) => lines.push(s.write(`${JSON.stringify({ registry: report })}\n`)) });
        await Promise.all(lines);
        await s.write(`${JSON.stringify({ answer })}\n`);
        observe('ok');
      } catch (err) {
        const e = err instanceof StewardError ? err : new StewardError('INTERNAL', 'discover failed');
        await s.write(`${JSON.stringify({ error: { title: e.code, status: e.status, detail: e.message, code: e.code } })}\n`);
        observe('error');
      }
    });
  });
}

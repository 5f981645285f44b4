// GET /v1/discover?q=Q&scope=S&sort=K&limit=L
// With `Accept: application/x-ndjson` the answer streams: one `{"registry": report}` line
// as each registry answers or fails, then `{"answer": <the JSON answer>}` (or
// `{"error": <problem>}`), so a client can show progress while slow registries work.
import type { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { StewardError } from '../../errors/index.js';
import type { NodeContext } from '../../node/context.js';
import { audienceOfContext } from '../audience.js';
import { intParam, oneOf } from '../body.js';

export const NDJSON = 'application/x-ndjson';

export function discoverRoutes(app: Hono, ctx: NodeContext) {
  app.get('/v1/discover', async (c) => {
    const q = (c.req.query('q') ?? '').trim();
    if (!q) throw new StewardError('BAD_REQUEST', 'query parameter q is required (a capability or keywords)');
    if (q.length > 256) throw new StewardError('BAD_REQUEST', 'query parameter q is longer than 256 characters');
    const scope = oneOf(c, 'scope', ['local', 'hierarchy', 'federated'] as const, 'hierarchy');
    const sort = oneOf(c, 'sort', ['trust', 'latency', 'name'] as const, 'trust');
    const limit = intParam(c, 'limit', 20, 1, 100);
    const audience = audienceOfContext(c, ctx);
    const noCache = /(^|[\s,])no-cache($|[\s,;])/i.test(c.req.header('cache-control') ?? '');
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

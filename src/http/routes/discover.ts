// GET /v1/discover?q=Q&scope=S&sort=K&limit=L
import type { Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import type { NodeContext } from '../../node/context.js';
import { audienceOfContext } from '../audience.js';
import { intParam, oneOf } from '../body.js';

export function discoverRoutes(app: Hono, ctx: NodeContext) {
  app.get('/v1/discover', async (c) => {
    const q = (c.req.query('q') ?? '').trim();
    if (!q) throw new StewardError('BAD_REQUEST', 'query parameter q is required (a capability or keywords)');
    if (q.length > 256) throw new StewardError('BAD_REQUEST', 'query parameter q is longer than 256 characters');
    const scope = oneOf(c, 'scope', ['local', 'hierarchy', 'federated'] as const, 'hierarchy');
    const sort = oneOf(c, 'sort', ['trust', 'latency', 'name'] as const, 'trust');
    const limit = intParam(c, 'limit', 20, 1, 100);
    const started = performance.now();
    const answer = await ctx.discover(q, scope, sort, limit, audienceOfContext(c, ctx));
    ctx.metrics.queryLatency.observe({ endpoint: 'discover', status: 'ok' }, (performance.now() - started) / 1000);
    return c.json(answer);
  });
}

// GET /v1/resolve?name=N[&rd=0][&trace=1]
import type { Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import { qualify } from '../../names/index.js';
import { answerAuthoritatively, RESOLVER_HEADER } from '../../resolver/index.js';
import type { NodeContext } from '../../node/context.js';
import { oneOf } from '../body.js';

export function resolveRoutes(app: Hono, ctx: NodeContext) {
  app.get('/v1/resolve', async (c) => {
    const raw = c.req.query('name');
    if (raw === undefined || raw === '') throw new StewardError('BAD_REQUEST', 'query parameter name is required');
    const rd = oneOf(c, 'rd', ['0', '1', 'true', 'false'], '1');
    const trace = oneOf(c, 'trace', ['0', '1', 'true', 'false'], '0');
    const fqid = qualify(raw, { rootDomain: ctx.config.rootDomain, localZone: ctx.config.zone });
    const started = performance.now();
    let body;
    if (rd === '0' || rd === 'false') {
      // Other registries' resolvers identify themselves; internal records stay inside their zone.
      const view = c.req.header(RESOLVER_HEADER) ? ctx.publicView : ctx.view;
      body = answerAuthoritatively(view, fqid);
    } else {
      body = await ctx.resolver.resolve(fqid, { trace: trace === '1' || trace === 'true' });
    }
    const status = body.status === 'NXDOMAIN' ? 404 : 200;
    ctx.metrics.queryLatency.observe({ endpoint: 'resolve', status: body.status }, (performance.now() - started) / 1000);
    return c.json(body, status);
  });
}

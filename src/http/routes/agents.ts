// Publish, read and unpublish agents of this zone.
import type { Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import { normalizeLabel } from '../../names/index.js';
import type { NodeContext } from '../../node/context.js';
import { visibleTo } from '../../records/visibility.js';
import { audienceOfContext } from '../audience.js';
import { readJwsBody } from '../body.js';
import { clientOf } from '../limits.js';

export function agentRoutes(app: Hono, ctx: NodeContext) {
  // Per-client limit first: before the body is read or a signature checked.
  app.post('/v1/agents', async (c) => {
    const from = clientOf(c, ctx);
    await ctx.quota.publishPerClient(from);
    const jws = await readJwsBody(c);
    const record = await ctx.publisher.publish(jws, { from });
    c.header('location', `/v1/agents/${record.name}`);
    return c.json(record, 201);
  });

  app.get('/v1/agents/:name', (c) => {
    const label = normalizeLabel(c.req.param('name'));
    const record = ctx.store.get(label);
    // An internal record is not there for anyone outside the zone (the same 404, so its existence does not leak).
    if (!record || !visibleTo(record, audienceOfContext(c, ctx))) throw new StewardError('NOT_FOUND', `no agent ${label} in zone ${ctx.config.zone}`);
    return c.json(record);
  });

  app.delete('/v1/agents/:name', async (c) => {
    const label = normalizeLabel(c.req.param('name'));
    const from = clientOf(c, ctx);
    await ctx.quota.publishPerClient(from);
    const jws = await readJwsBody(c);
    const { id, seq } = await ctx.publisher.unpublish(label, jws, { from });
    return c.json({ deleted: id, seq });
  });
}

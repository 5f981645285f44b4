import type { Hono } from 'hono';
import type { NodeContext } from '../../node/context.js';

export function healthRoutes(app: Hono, ctx: NodeContext) {
  app.get('/healthz', (c) =>
    c.json({
      status: 'ok',
      zone: ctx.config.zone,
      serial: ctx.store.serial,
      uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
    }),
  );
  app.get('/metrics', async (c) => {
    ctx.metrics.agentCount.set(ctx.store.size);
    return c.body(await ctx.metrics.registry.metrics(), 200, { 'content-type': ctx.metrics.registry.contentType });
  });
}

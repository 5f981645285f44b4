import type { Hono } from 'hono';
import type { NodeContext } from '../../node/context.js';

export function healthRoutes(app: Hono, ctx: NodeContext) {
  // "degraded" while the store cannot write (a full disk...): reads are still answered,
  // changes are refused (507/503); back to "ok" by itself once writes work again.
  app.get('/healthz', (c) => {
    const h = ctx.store.health;
    return c.json({
      status: h.status,
      zone: ctx.config.zone,
      serial: ctx.store.serial,
      uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
      ...(h.status === 'degraded' ? { reason: h.reason, code: h.code, since: h.since } : {}),
      // Redis is optional: its state is reported, and does not make the node unhealthy.
      redis: ctx.redis ? ctx.redis.health() : { state: 'off' },
    });
  });
  app.get('/metrics', async (c) => {
    ctx.metrics.agentCount.set(ctx.store.size);
    return c.body(await ctx.metrics.registry.metrics(), 200, { 'content-type': ctx.metrics.registry.contentType });
  });
}

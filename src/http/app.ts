// The HTTP face of one node: middleware, then one module per group of routes.
import { Hono } from 'hono';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import type { NodeContext } from '../node/context.js';
import { bodyLimit } from './body-limit.js';
import { readLimit } from './limits.js';
import { notFound, onError, problemResponse } from './problem.js';
import { agentRoutes } from './routes/agents.js';
import { discoverRoutes } from './routes/discover.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identity.js';
import { PUSH_MAX_BYTES, pushRoutes } from './routes/push.js';
import { digestRoutes } from './routes/digest.js';
import { resolveRoutes } from './routes/resolve.js';
import { syncRoutes } from './routes/sync.js';
import { zoneRoutes } from './routes/zone.js';

export function createApp(ctx: NodeContext): Hono {
  const app = new Hono();
  const limit = (maxSize: number) =>
    bodyLimit({ maxSize, onError: () => problemResponse(new StewardError('PAYLOAD_TOO_LARGE', `request bodies are limited to ${maxSize} bytes`)) });
  const general = limit(DEFAULTS.maxBodyBytes);
  // A signed push from a child registry carries a batch of entries (federation/push/outbox.ts).
  const push = limit(PUSH_MAX_BYTES);
  app.use('*', (c, next) => (c.req.path === '/v1/push' ? push(c, next) : general(c, next)));
  app.use('/v1/*', readLimit(ctx));
  healthRoutes(app, ctx);
  zoneRoutes(app, ctx);
  resolveRoutes(app, ctx);
  discoverRoutes(app, ctx);
  agentRoutes(app, ctx);
  syncRoutes(app, ctx);
  identityRoutes(app, ctx);
  pushRoutes(app, ctx);
  digestRoutes(app, ctx);
  app.notFound(notFound);
  app.onError(
    onError(
      (err) => ctx.log.error({ err }, 'unhandled error'),
      (c) => ctx.log.debug({ method: c.req.method, path: c.req.path }, 'request ended: the client closed the connection mid-body'),
    ),
  );
  return app;
}

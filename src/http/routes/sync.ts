// GET /v1/sync?since=SEQ&limit=N — this zone's change log; internal records never leave the zone.
import type { Hono } from 'hono';
import type { NodeContext } from '../../node/context.js';
import { intParam } from '../body.js';

export function syncRoutes(app: Hono, ctx: NodeContext) {
  app.get('/v1/sync', (c) => {
    const since = intParam(c, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c, 'limit', 1000, 1, 10_000);
    const page = ctx.store.changesSince(since, limit);
    const entries = page.entries.filter((e) => e.record.visibility !== 'internal');
    return c.json({ entries, next: page.next, serial: page.serial });
  });
}

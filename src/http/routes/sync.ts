// GET /v1/sync?since=SEQ&limit=N — this zone's change log; internal records never leave the
// zone. Pages are bounded by bytes and built without blocking (../sync-page.ts). A request
// verifier (SPEC §5) can be put in front with app.use('/v1/sync', ...).
import type { Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import type { NodeContext } from '../../node/context.js';
import { MAX_SYNC_LIMIT } from '../../store/zone-store.js';
import { intParam } from '../body.js';
import { problemResponse } from '../problem.js';
import { buildSyncPage, Gate } from '../sync-page.js';

export function syncRoutes(app: Hono, ctx: NodeContext) {
  const gate = new Gate();
  app.get('/v1/sync', async (c) => {
    const since = intParam(c, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c, 'limit', 1000, 1, MAX_SYNC_LIMIT);
    try {
      const page = await gate.run(() => buildSyncPage(ctx.store, since, limit));
      // Sent a piece at a time, so no one step encodes the whole page.
      const encoder = new TextEncoder();
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (i < page.body.length) ctl.enqueue(encoder.encode(page.body[i++]!));
          else ctl.close();
        },
      });
      return c.body(stream, 200, { 'content-type': 'application/json' });
    } catch (err) {
      if (!(err instanceof StewardError) || err.code !== 'UNAVAILABLE') throw err;
      const res = problemResponse(err);
      res.headers.set('retry-after', String(err.extra.retryAfter ?? 1));
      return res;
    }
  });
}

// GET /v1/sync?since=SEQ&limit=N — this zone's change log (its own public records, then the
// references of its subtree: federation/subtree/README.md); internal records never leave the
// zone. Signed (SPEC §5, the signed-request middleware), and only this zone's parent or an
// ancestor (or a replica of this same zone) may pull: 403 NOT_PERMITTED for anyone else; a
// node without a registry identity cannot check who asks and answers 503 UNAVAILABLE.
// Pages are bounded by bytes and built without blocking (../sync-page.ts).
import type { Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import { isWithin } from '../../names/index.js';
import type { NodeContext } from '../../node/context.js';
import { MAX_SYNC_LIMIT } from '../../store/zone-store.js';
import { intParam } from '../body.js';
import { problemResponse } from '../problem.js';
import { signedRequests, verifiedSender } from '../signed.js';
import { buildSyncPage, Gate } from '../sync-page.js';

export function syncRoutes(app: Hono, ctx: NodeContext) {
  const gate = new Gate();
  const signed = signedRequests({
    verify: (req) => {
      if (!ctx.identity) throw new StewardError('UNAVAILABLE', `${ctx.config.zone} runs without a registry identity, so it cannot tell who pulls its sync log`);
      return ctx.identity.verify(req);
    },
  });
  app.get('/v1/sync', signed, async (c) => {
    const sender = verifiedSender(c).zone;
    const { zone } = ctx.config;
    if (!isWithin(zone, sender)) throw new StewardError('NOT_PERMITTED', `${sender} is not ${zone}'s parent or an ancestor (or a replica of it); only they pull its sync log`);
    const since = intParam(c, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(c, 'limit', 1000, 1, MAX_SYNC_LIMIT);
    try {
      const page = await gate.run(() => buildSyncPage(ctx.store, since, limit, undefined, ctx.subtree));
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

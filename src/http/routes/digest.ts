// GET /v1/digest and GET /v1/digest/entries — what a zone's replicas compare and pull in
// anti-entropy (SPEC §6 "Replicas and geo"; wire format in src/federation/replicas/README.md).
// Signed, and only the zone's own replicas (a request signed with this zone's
// certificate) may ask: 403 NOT_PERMITTED for anyone else; without a registry identity
// the node cannot tell who asks: 503 UNAVAILABLE. Internal records are included: the
// replicas are the zone. Pages are bounded by entries and bytes.
import type { Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import { BUCKETS } from '../../federation/replicas/digest.js';
import type { NodeContext } from '../../node/context.js';
import { intParam } from '../body.js';
import { signedRequests, verifiedSender } from '../signed.js';

export const DIGEST_PAGE = { maxEntries: 1000, maxBytes: 1024 * 1024 } as const;

function buckets(raw: string | undefined): number[] {
  if (!raw || raw.length > 3 * BUCKETS || !/^[0-9a-f]{1,2}(,[0-9a-f]{1,2})*$/.test(raw)) {
    throw new StewardError('BAD_REQUEST', 'buckets must be a comma-separated list of bucket numbers in hex (00 to ff)');
  }
  return raw.split(',').map((b) => parseInt(b, 16));
}

export function digestRoutes(app: Hono, ctx: NodeContext) {
  const signed = signedRequests({
    verify: (req) => {
      if (!ctx.identity) throw new StewardError('UNAVAILABLE', `${ctx.config.zone} runs without a registry identity, so it cannot tell its replicas from anyone else`);
      return ctx.identity.verify(req);
    },
  });
  const onlyReplicas = (sender: string) => {
    if (sender !== ctx.config.zone) throw new StewardError('NOT_PERMITTED', `${sender} is not a replica of ${ctx.config.zone}; only its replicas compare digests`);
  };
  app.get('/v1/digest', signed, (c) => {
    onlyReplicas(verifiedSender(c).zone);
    return c.json({ zone: ctx.config.zone, replica: ctx.replicas.id, buckets: BUCKETS, ...ctx.replicas.digest.view() });
  });
  app.get('/v1/digest/entries', signed, (c) => {
    onlyReplicas(verifiedSender(c).zone);
    const after = c.req.query('after') ?? null;
    if (after !== null && (after.length > 300 || !/^\d{1,3}:/.test(after))) throw new StewardError('BAD_REQUEST', 'after must be a cursor from a previous page');
    const limit = intParam(c, 'limit', 500, 1, DIGEST_PAGE.maxEntries);
    return c.json(ctx.replicas.digest.entries(buckets(c.req.query('buckets')), after, limit, DIGEST_PAGE.maxBytes));
  });
}

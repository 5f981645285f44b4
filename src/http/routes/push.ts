// POST /v1/push (SPEC §6): a child registry pushes changes of its public records up, or
// another replica of this zone forwards what its subtree index took from a child (a
// sibling push: signed with this zone's own certificate, which its replicas share; its
// entries must lie in zones below this one, federation/push/README.md "Sibling replicas").
// Signed (SPEC §5, the signed-request middleware); then: the body names the sender's own
// zone, the sender is below this zone (or is this zone), and each entry is checked by itself
// (federation/push/entries.ts) and then applied to the subtree index (federation/subtree),
// whose answer is the reply: accepted, duplicates (the same entry again) and rejected
// (checks or §2 rules failed, each by itself). A push whose every entry names another
// zone is 403; a failed write (full disk) fails the whole push (507/503), so it is retried.
import type { Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import { checkPushEntries } from '../../federation/push/entries.js';
import { isWithin } from '../../names/index.js';
import type { NodeContext } from '../../node/context.js';
import { readJsonBody } from '../body.js';
import { signedRequests, verifiedSender } from '../signed.js';

const MAX_ENTRIES = 1_000;
/** A push body at most (the sender's outbox batches stay under it: 256 KiB). */
export const PUSH_MAX_BYTES = 1024 * 1024;

export function pushRoutes(app: Hono, ctx: NodeContext) {
  const verify = signedRequests({
    maxBodyBytes: PUSH_MAX_BYTES,
    verify: (req) => {
      if (!ctx.identity) throw new StewardError('UNAVAILABLE', `${ctx.config.zone} runs without a registry identity and takes no pushes`);
      return ctx.identity.verify(req);
    },
  });
  app.post('/v1/push', verify, async (c) => {
    const sender = verifiedSender(c).zone;
    const { zone } = ctx.config;
    // The sender's zone is its certificate's (verified to our root), so only a holder of
    // this zone's own key material — one of its replicas — can send a sibling push.
    const replica = sender === zone;
    if (!replica && !isWithin(sender, zone)) throw new StewardError('NOT_PERMITTED', `${sender} is not below ${zone}; only registries of this zone's subtree (and its replicas) push here`);
    const body = await readJsonBody(c);
    if (body.zone !== sender) throw new StewardError('NOT_PERMITTED', `the push names zone ${JSON.stringify(body.zone)} but is signed by ${sender}`);
    if (!Array.isArray(body.entries)) throw new StewardError('BAD_REQUEST', 'entries must be an array');
    if (body.entries.length > MAX_ENTRIES) throw new StewardError('BAD_REQUEST', `at most ${MAX_ENTRIES} entries per push`);
    const { good, rejected } = await checkPushEntries(body.entries, { rootDomain: ctx.config.rootDomain, sender, replica });
    if (good.length === 0 && rejected.length > 0 && rejected.every((r) => r.code === 'NOT_PERMITTED')) {
      throw new StewardError('NOT_PERMITTED', `${sender} may push only names ${replica ? 'in zones below it' : 'at or below its own zone'}: ${rejected[0]!.detail}`, { rejected });
    }
    const result = await ctx.subtree.apply(sender, good);
    const all = [...rejected, ...result.rejected];
    if (all.length) ctx.log.warn({ sender, rejected: all.length }, 'push entries rejected');
    // One audit entry per push that changed something or was refused in part (a push of
    // duplicates only, as retries and pulls make, is not news).
    if (result.accepted || all.length) {
      ctx.audit.append('push', {
        peer: sender,
        detail: `push from ${replica ? `a replica of ${sender}` : sender}: ${result.accepted} accepted, ${result.duplicates} duplicates, ${all.length} rejected`,
        data: { accepted: result.accepted, duplicates: result.duplicates, rejected: all.slice(0, 20).map((r) => ({ id: r.id, code: r.code })) },
      });
    }
    return c.json({ accepted: result.accepted, duplicates: result.duplicates, rejected: all });
  });
}

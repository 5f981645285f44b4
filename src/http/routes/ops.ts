// The operator's view of the federation (SPEC §3):
//   GET /v1/alerts — the seed's four alerts now firing (src/alerts), open like /metrics
//     (peers' error messages, which name addresses, only for clients inside the zone);
//   GET /v1/audit?since=&kind=&limit= — the audit log (src/audit), oldest first, paged.
//     `since`: an ISO 8601 time (entries at or after it) or the `next` cursor of the
//     previous page (entries after it); `kind`: one kind or several, comma-separated;
//     `limit`: 1–1000 (default 100). `next` is null on the last page.
//     Only the zone's operator reads it: a client inside the zone (its address in
//     `policy.internal_clients`, loopback by default — src/http/audience.ts) or a request
//     signed with this registry's own key; anyone else, other registries included, 403.
import type { Context, Hono } from 'hono';
import { evaluateAlerts } from '../../alerts/index.js';
import { AUDIT_KINDS, type AuditKind, type AuditQuery } from '../../audit/index.js';
import { StewardError } from '../../errors/index.js';
import { summarize } from '../../health/summary.js';
import type { NodeContext } from '../../node/context.js';
import { INSIDE } from '../../records/visibility.js';
import { audienceOfContext } from '../audience.js';
import { intParam } from '../body.js';
import { signedRequests, verifiedSender, type SignedEnv } from '../signed.js';

/** `since` as the audit log takes it: a cursor (digits) or a time. */
export function auditSince(raw: string | undefined): Pick<AuditQuery, 'sinceSeq' | 'sinceMs'> {
  if (raw === undefined || raw === '') return {};
  if (/^\d{1,15}$/.test(raw)) return { sinceSeq: Number(raw) };
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw new StewardError('BAD_REQUEST', `since must be an ISO 8601 time (2026-12-01T10:00:00Z) or the next cursor of a previous page, got ${JSON.stringify(raw.slice(0, 40))}`);
  return { sinceMs: ms };
}

export function auditKinds(raw: string | undefined): AuditKind[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = kinds.find((k) => !AUDIT_KINDS.includes(k as AuditKind));
  if (bad !== undefined || kinds.length > AUDIT_KINDS.length) throw new StewardError('BAD_REQUEST', `kind must be one or more of ${AUDIT_KINDS.join(', ')} (comma-separated), got ${JSON.stringify((bad ?? raw).slice(0, 40))}`);
  return kinds as AuditKind[];
}

export function opsRoutes(app: Hono, ctx: NodeContext) {
  const summary = () => summarize({ config: ctx.config, delegations: ctx.delegations, health: ctx.health, startedAt: ctx.startedAt });

  app.get('/v1/alerts', (c) =>
    c.json(evaluateAlerts({ summary, nthRecentConflict: (n) => ctx.health.nthRecentConflict(n), errors: audienceOfContext(c, ctx) === INSIDE })));

  const signed = signedRequests({
    verify: (req) => {
      if (!ctx.identity) throw new StewardError('NOT_PERMITTED', `${ctx.config.zone} runs without a registry identity: only clients inside the zone read its audit log`);
      return ctx.identity.verify(req);
    },
  });
  /** The operator: inside the zone, or signed with the zone's own key. Returns a refusal response, if any. */
  const operator = async (c: Context): Promise<Response | undefined> => {
    if (c.req.header('signature-input') !== undefined) {
      const res = await signed(c as unknown as Context<SignedEnv>, async () => {});
      if (res) return res;
      const sender = verifiedSender(c).zone;
      if (sender !== ctx.config.zone) throw new StewardError('NOT_PERMITTED', `only ${ctx.config.zone}'s operator reads its audit log; the request was signed by ${sender}`);
      return undefined;
    }
    if (audienceOfContext(c, ctx) !== INSIDE) {
      throw new StewardError('NOT_PERMITTED', `only ${ctx.config.zone}'s operator reads its audit log: a client inside the zone (policy.internal_clients) or a request signed with the registry's own key`);
    }
    return undefined;
  };

  app.get('/v1/audit', async (c) => {
    const refused = await operator(c);
    if (refused) return refused;
    const q: AuditQuery = { ...auditSince(c.req.query('since')), kinds: auditKinds(c.req.query('kind')), limit: intParam(c, 'limit', 100, 1, 1_000) };
    const { entries, next } = ctx.audit.query(q);
    return c.json({ zone: ctx.config.zone, entries, next: next === null ? null : String(next) });
  });
}

// Registry identity over HTTP (SPEC §5): POST /v1/register (open, or signed by the child
// when it renews), GET /v1/crl, and the operator's own commands — POST /v1/admin/invite
// and /v1/admin/revoke — which must be signed with this registry's own key (only its
// operator holds it), so they need no other credentials.
import type { Context, Hono } from 'hono';
import { StewardError } from '../../errors/index.js';
import { normalizeName, zoneOf } from '../../names/index.js';
import type { NodeContext } from '../../node/context.js';
import { readJsonBody } from '../body.js';
import { clientOf } from '../limits.js';
import { signedRequests, verifiedSender, type SignedEnv } from '../signed.js';

const noIdentity = (zone: string) => new StewardError('UNAVAILABLE', `${zone} runs without a registry identity (no certificate), so it cannot take part in signed exchanges`);

export function identityRoutes(app: Hono, ctx: NodeContext) {
  const id = () => ctx.identity ?? (() => { throw noIdentity(ctx.config.zone); })();
  const signed = signedRequests({ verify: (req) => id().verify(req) });
  const self = (c: Context) => {
    const sender = verifiedSender(c);
    if (sender.zone !== ctx.config.zone) throw new StewardError('NOT_PERMITTED', `only ${ctx.config.zone} itself (its operator's key) may do this; the request was signed by ${sender.zone}`);
  };

  app.post('/v1/register', async (c) => {
    const registrar = ctx.registrar ?? (() => { throw noIdentity(ctx.config.zone); })();
    // Issuing costs a signature (RSA-4096: milliseconds): the per-client publish limit applies.
    await ctx.quota.publishPerClient(clientOf(c, ctx));
    let sender: { zone: string } | undefined;
    if (c.req.header('signature-input') !== undefined) {
      // A child renewing signs its request; verify it (and its replay window) first.
      const res = await signed(c as unknown as Context<SignedEnv>, async () => {});
      if (res) return res;
      sender = verifiedSender(c);
    }
    const result = await registrar.register(await readJsonBody(c), sender);
    ctx.log.info({ zone: result.delegation.zone, renewed: result.renewed }, result.renewed ? 'child registry renewed' : 'child registry registered');
    const d = result.delegation;
    ctx.audit.append(result.renewed ? 'renew' : 'register', {
      peer: d.zone,
      detail: `${d.zone} ${result.renewed ? 'renewed its certificate' : 'registered'} (${d.endpoints.map((e) => e.url).join(', ')})`,
      data: { zone: d.zone, fingerprint: d.fingerprint, endpoints: d.endpoints, client: clientOf(c, ctx), ...(sender ? { signed_by: sender.zone } : {}) },
    });
    const { renewed, ...body } = result;
    return c.json(body, renewed ? 200 : 201);
  });

  app.get('/v1/crl', async (c) => {
    const { pem } = await id().revocations.crl();
    return c.body(pem, 200, { 'content-type': 'application/pkix-crl; charset=us-ascii', 'cache-control': 'max-age=60' });
  });

  app.post('/v1/admin/invite', signed, async (c) => {
    self(c);
    const body = await readJsonBody(c);
    const namespace = normalizeName(body.namespace);
    const ttl = body.ttl_seconds === undefined ? 86_400 : Number(body.ttl_seconds);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86_400) throw new StewardError('BAD_REQUEST', 'ttl_seconds must be an integer from 1 to 2592000 (30 days)');
    const childZone = zoneOf(namespace, ctx.config.rootDomain);
    if (!childZone.endsWith(`.${ctx.config.zone}`) || childZone.slice(0, -(ctx.config.zone.length + 1)).includes('.')) {
      throw new StewardError('BAD_NAME', `namespace ${namespace} is not exactly one label below ${ctx.config.zone}`);
    }
    const { token, expires_at } = await ctx.tokens!.create(namespace, ttl);
    ctx.log.info({ namespace, expires_at }, 'register token made');
    ctx.audit.append('invite', { peer: childZone, detail: `register token made for ${namespace} (expires ${expires_at})`, data: { namespace, zone: childZone, expires_at } });
    return c.json({ namespace, token, expires_at }, 201);
  });

  app.post('/v1/admin/revoke', signed, async (c) => {
    self(c);
    const body = await readJsonBody(c);
    const zone = normalizeName(body.zone);
    const entry = ctx.delegations.entry(zone);
    if (!entry) throw new StewardError('NOT_FOUND', `${ctx.config.zone} has no delegation ${zone}`);
    const reason = typeof body.reason === 'string' ? body.reason.slice(0, 200) : 'revoked by the parent registry';
    if (entry.serial) await id().revocations.revoke(entry.serial, zone, reason);
    const withdrawn = await ctx.delegations.withdraw(zone, reason);
    ctx.log.warn({ zone, serial: entry.serial }, 'child registry revoked');
    ctx.audit.append('revoke', { peer: zone, detail: `${zone} revoked: ${reason}`, data: { zone, serial: entry.serial ?? null, reason } });
    return c.json({ zone, serial: entry.serial ?? null, state: withdrawn?.state, revoked_at: withdrawn?.updated_at });
  });
}

// Every refused signed request, in the audit log (kind `refused`, with its code) and in
// steward_signed_refusals_total{code}: those the signed-request middleware refuses
// (signed.ts: SIGNATURE_*, CERT_INVALID, CLOCK_SKEW, REPLAY, PAYLOAD_TOO_LARGE...) and
// those a route refuses after the signature verified (NOT_PERMITTED: the sender may not do
// this). One middleware in front of the app, so no signed route has to remember it. The
// audit log is bounded (src/audit), so a flood of bad signatures cannot grow it past that.
import type { Context, MiddlewareHandler } from 'hono';
import { StewardError } from '../errors/index.js';
import type { NodeContext } from '../node/context.js';
import type { VerifiedSender } from '../pki/httpsig/index.js';
import { clientOf } from './limits.js';

export function signedRefusals(ctx: NodeContext): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const byMiddleware = c.get('signedRefusal' as never) as StewardError | undefined;
    const err = byMiddleware
      ?? (c.error instanceof StewardError && (c.error.status === 401 || c.error.status === 403) && c.req.header('signature-input') !== undefined ? c.error : undefined);
    if (err) record(ctx, c, err);
  };
}

function record(ctx: NodeContext, c: Context, err: StewardError) {
  const sender = (c.get('signedSender' as never) as VerifiedSender | undefined)?.zone;
  const client = clientOf(c, ctx);
  ctx.metrics.signedRefusals.inc({ code: err.code });
  ctx.audit.append('refused', {
    peer: sender ?? client,
    detail: `${c.req.method} ${c.req.path} refused (${err.code}): ${err.message}`.slice(0, 500),
    data: { code: err.code, status: err.status, method: c.req.method, path: c.req.path.slice(0, 200), client, ...(sender ? { sender } : {}) },
  });
}

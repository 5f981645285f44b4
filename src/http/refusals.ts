// Every refused signed request, in the audit log (kind `refused`, with its code) and in
// steward_signed_refusals_total{code}: those the signed-request middleware refuses
// (signed.ts: SIGNATURE_*, CERT_INVALID, CLOCK_SKEW, REPLAY, PAYLOAD_TOO_LARGE...) and
// those a route refuses after the signature verified (NOT_PERMITTED: the sender may not do
// this). One middleware in front of the app, so no signed route has to remember it. The
// metric counts every refusal; the audit log takes at most PER_MINUTE entries a minute for
// one client and code (the next one says how many were left out), so a flood of bad
// signatures neither fills the log with copies nor turns into a stream of disk writes.
import type { Context, MiddlewareHandler } from 'hono';
import { StewardError } from '../errors/index.js';
import type { NodeContext } from '../node/context.js';
import type { VerifiedSender } from '../pki/httpsig/index.js';
import { clientOf } from './limits.js';

const PER_MINUTE = 10;
const MAX_KEYS = 10_000;

/** Per client and code: how many were written this minute, how many left out since the last written. */
export class RefusalThrottle {
  private readonly keys = new Map<string, { minute: number; written: number; left: number }>();

  /** undefined: leave it out; else the number left out before it. */
  admit(key: string, now = Date.now()): number | undefined {
    const minute = Math.floor(now / 60_000);
    let k = this.keys.get(key);
    if (!k || k.minute !== minute) {
      if (!k && this.keys.size >= MAX_KEYS) this.keys.clear();
      k = { minute, written: 0, left: k?.left ?? 0 };
      this.keys.set(key, k);
    }
    if (k.written >= PER_MINUTE) {
      k.left++;
      return undefined;
    }
    k.written++;
    const left = k.left;
    k.left = 0;
    return left;
  }
}

export function signedRefusals(ctx: NodeContext): MiddlewareHandler {
  const throttle = new RefusalThrottle();
  return async (c, next) => {
    await next();
    const byMiddleware = c.get('signedRefusal' as never) as StewardError | undefined;
    const err = byMiddleware
      ?? (c.error instanceof StewardError && (c.error.status === 401 || c.error.status === 403) && c.req.header('signature-input') !== undefined ? c.error : undefined);
    if (err) record(ctx, c, err, throttle);
  };
}

function record(ctx: NodeContext, c: Context, err: StewardError, throttle: RefusalThrottle) {
  const sender = (c.get('signedSender' as never) as VerifiedSender | undefined)?.zone;
  const client = clientOf(c, ctx);
  ctx.metrics.signedRefusals.inc({ code: err.code });
  const left = throttle.admit(`${client} ${err.code}`);
  if (left === undefined) return;
  ctx.audit.append('refused', {
    peer: sender ?? client,
    detail: `${c.req.method} ${c.req.path} refused (${err.code}): ${err.message}`.slice(0, 500),
    data: { code: err.code, status: err.status, method: c.req.method, path: c.req.path.slice(0, 200), client, ...(sender ? { sender } : {}), ...(left ? { left_out_before: left } : {}) },
  });
}

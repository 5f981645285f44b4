// The one middleware in front of every signed endpoint (SPEC §5): reads the exact body
// bytes, runs the signed-request verifier (src/pki/httpsig/verifier.ts, stages listed
// there) and puts the verified sender on the context for the route, which then makes
// the 403 NOT_PERMITTED decision. Mount it after the app's bodyLimit (body-limit.ts),
// which bounds chunked bodies while they stream; this also refuses on the length itself.
// The route can still read the body with c.req.text()/json(): hono caches it.
import type { Context, MiddlewareHandler } from 'hono';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import type { VerifiedSender, Verifier } from '../pki/httpsig/index.js';
import { problemResponse } from './problem.js';

export interface SignedEnv {
  /** `signedRefusal`: why the middleware refused the request (read by refusals.ts). */
  Variables: { signedSender: VerifiedSender; signedRefusal: StewardError };
}

export interface SignedOptions {
  verify: Verifier;
  maxBodyBytes?: number;
  /** The target URI as senders address this node; default: the URL as received. */
  targetUri?: (c: Context) => string;
}

const EMPTY = new Uint8Array(0);

const tooLarge = (max: number) => new StewardError('PAYLOAD_TOO_LARGE', `request bodies are limited to ${max} bytes`);

export function signedRequests({ verify, maxBodyBytes = DEFAULTS.maxBodyBytes, targetUri = (c) => c.req.url }: SignedOptions): MiddlewareHandler<SignedEnv> {
  return async (c, next) => {
    try {
      let body = EMPTY;
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        const declared = c.req.header('content-length');
        if (declared !== undefined && Number(declared) > maxBodyBytes) throw tooLarge(maxBodyBytes);
        body = new Uint8Array(await c.req.arrayBuffer());
        if (body.byteLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
      }
      const sender = await verify({ method: c.req.method, targetUri: targetUri(c), header: (n) => c.req.header(n), body });
      c.set('signedSender', sender);
    } catch (err) {
      if (err instanceof StewardError) {
        c.set('signedRefusal', err); // (audit log and metrics: refusals.ts)
        return problemResponse(err);
      }
      throw err;
    }
    await next();
  };
}

/** The sender the middleware verified; a route behind signedRequests() always has one. */
export function verifiedSender(c: Context): VerifiedSender {
  const sender = c.get('signedSender') as VerifiedSender | undefined;
  if (!sender) throw new StewardError('INTERNAL', 'route is not behind the signed-request middleware');
  return sender;
}

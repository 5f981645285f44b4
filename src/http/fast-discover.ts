// GET /v1/discover on node:http's req/res, before hono, as fast-resolve.ts does for
// resolve: hono's Request, Response and middleware chain cost more than a discover
// answered from the index and the discover cache. It takes only what the hono route
// would answer the same way: a plain GET (plainGet) with valid parameters, not signed
// (signed requests go through the signed-request middleware) and not asking for the
// NDJSON stream. Anything else, a bad parameter included, goes on to hono untouched, so
// the 400 and its wording have one source (routes/discover.ts).
import { getQueryParam } from 'hono/utils/url';
import type { NodeContext } from '../node/context.js';
import { audienceOf } from './audience.js';
import { plainGet, send, type FastPath } from './fast-resolve.js';
import { sendReadLimited } from './limits.js';
import { isExpectedError, problemBody, PROBLEM_TYPE } from './problem.js';
import { JSON_TYPE } from './resolve-reply.js';
import { discoverQuery, NDJSON, wantsNoCache } from './routes/discover.js';

const PATH = '/v1/discover';

export function fastDiscover(ctx: NodeContext): FastPath {
  const plain = plainGet(PATH);
  return (req, res) => {
    if (!plain(req)) return false;
    const { headers } = req;
    if (headers['signature-input'] !== undefined || headers.signature !== undefined) return false;
    if (headers.accept !== undefined && headers.accept.includes(NDJSON)) return false;
    const target = req.url!;
    let query: ReturnType<typeof discoverQuery>;
    try {
      query = discoverQuery((name) => getQueryParam(target, name) as string | undefined);
    } catch {
      return false; // (hono answers the 400)
    }
    const wait = ctx.quota.read(req);
    if (wait !== 0) {
      sendReadLimited(res, wait);
      return true;
    }
    const started = performance.now();
    const { q, scope, sort, limit } = query;
    ctx.discover(q, scope, sort, limit, audienceOf(ctx, req), { noCache: wantsNoCache(headers['cache-control']) }).then(
      (answer) => {
        ctx.metrics.queryLatency.observe({ endpoint: 'discover', status: 'ok' }, (performance.now() - started) / 1000);
        send(ctx, res, { status: 200, type: JSON_TYPE, body: JSON.stringify(answer) });
      },
      (err) => {
        if (!isExpectedError(err)) ctx.log.error({ err }, 'unhandled error');
        const { status, body } = problemBody(err);
        send(ctx, res, { status, type: PROBLEM_TYPE, body });
      },
    );
    return true;
  };
}

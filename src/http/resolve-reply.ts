// GET /v1/resolve?name=N[&rd=0][&trace=1] — the one implementation of its semantics.
// Framework-free (query getter in, status + content-type + JSON text out) so that the
// hono route (app.request(), every other method and odd URL) and the node's raw
// node:http fast path (fast-resolve.ts) answer with the same bytes.
import { StewardError } from '../errors/index.js';
import { qualify } from '../names/index.js';
import type { NodeContext } from '../node/context.js';
import { answerAuthoritatively } from '../resolver/index.js';
import type { LocalAnswer, ResolveResult } from '../resolver/types.js';
import { answerRenderer } from './answer-body.js';
import { oneOfValue } from './body.js';
import { isExpectedError, problemBody, PROBLEM_TYPE } from './problem.js';

export const JSON_TYPE = 'application/json';
const FLAGS = ['0', '1', 'true', 'false'] as const;

export interface Reply {
  status: number;
  type: string;
  body: string | Buffer<ArrayBuffer>;
}

export interface ResolveRequest {
  /** A query parameter, decoded the way hono's `c.req.query(key)` decodes it. */
  query(key: string): string | undefined;
  /** True when another registry's resolver is asking (it sent RESOLVER_HEADER). */
  fromResolver: boolean;
}

const renderers = new WeakMap<NodeContext, ReturnType<typeof answerRenderer>>();

function render(ctx: NodeContext, a: ResolveResult | LocalAnswer): Buffer<ArrayBuffer> {
  let r = renderers.get(ctx);
  if (!r) renderers.set(ctx, (r = answerRenderer()));
  return r(a);
}

async function answer(ctx: NodeContext, req: ResolveRequest): Promise<Reply> {
  const raw = req.query('name');
  if (raw === undefined || raw === '') throw new StewardError('BAD_REQUEST', 'query parameter name is required');
  const rd = oneOfValue(req.query('rd'), 'rd', FLAGS, '1');
  const trace = oneOfValue(req.query('trace'), 'trace', FLAGS, '0');
  const fqid = qualify(raw, { rootDomain: ctx.config.rootDomain, localZone: ctx.config.zone });
  const started = performance.now();
  let body: ResolveResult | LocalAnswer;
  if (rd === '0' || rd === 'false') {
    // Other registries' resolvers identify themselves; internal records stay inside their zone.
    body = answerAuthoritatively(req.fromResolver ? ctx.publicView : ctx.view, fqid);
  } else {
    body = await ctx.resolver.resolve(fqid, { trace: trace === '1' || trace === 'true' });
  }
  ctx.metrics.queryLatency.observe({ endpoint: 'resolve', status: body.status }, (performance.now() - started) / 1000);
  return { status: body.status === 'NXDOMAIN' ? 404 : 200, type: JSON_TYPE, body: render(ctx, body) };
}

/** Never rejects: failures become problem+json (unexpected ones are logged as bugs). */
export async function resolveReply(ctx: NodeContext, req: ResolveRequest): Promise<Reply> {
  try {
    return await answer(ctx, req);
  } catch (err) {
    if (!isExpectedError(err)) ctx.log.error({ err }, 'unhandled error');
    const { status, body } = problemBody(err);
    return { status, type: PROBLEM_TYPE, body };
  }
}

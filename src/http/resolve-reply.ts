// GET /v1/resolve?name=N[&rd=0][&trace=1] — the one implementation of its semantics.
// Framework-free (request URL in, status + content-type + JSON bytes out) so that the
// hono route (app.request(), every other method and odd URL) and the node's raw
// node:http fast path (fast-resolve.ts) answer with the same bytes.
import { getQueryParam } from 'hono/utils/url';
import { StewardError } from '../errors/index.js';
import { qualify } from '../names/index.js';
import type { Observer } from '../metrics/index.js';
import type { NodeContext } from '../node/context.js';
import { answerAuthoritatively } from '../resolver/index.js';
import type { LocalAnswer, ResolveResult } from '../resolver/types.js';
import { answerRenderer } from './answer-body.js';
import { oneOfValue } from './body.js';
import { isExpectedError, problemBody, PROBLEM_TYPE } from './problem.js';

export const JSON_TYPE = 'application/json';
const FLAGS = ['0', '1', 'true', 'false'] as const;
const TRACE = Object.freeze({ trace: true });
const NO_TRACE = Object.freeze({ trace: false });

export interface Reply {
  status: number;
  type: string;
  body: string | Buffer<ArrayBuffer>;
}

export interface ResolveRequest {
  /** The absolute URL hono sees for this request (`c.req.url`); parameters are read from it below. */
  url: string;
  /** True when another registry's resolver is asking (it sent RESOLVER_HEADER). */
  fromResolver: boolean;
}

/**
 * One query parameter, decoded by the function behind hono's `c.req.query(key)` (first
 * value wins, `+` and %XX decoded), on the same URL string: both paths read the same
 * values. Looked up by key, as hono does: building a record of every parameter costs
 * more than the rest of a cache hit's logic.
 */
const param = (url: string, key: string) => getQueryParam(url, key) as string | undefined;

/** What each node keeps for its answers: the kept bytes, and objects made once, not per query. */
interface NodeState {
  render: ReturnType<typeof answerRenderer>;
  names: { rootDomain: string; localZone: string };
  /** The latency series of each answer status, looked up once. */
  latency: Map<string, Observer>;
}
const states = new WeakMap<NodeContext, NodeState>();

function state(ctx: NodeContext): NodeState {
  let s = states.get(ctx);
  if (!s) {
    s = { render: answerRenderer(), names: { rootDomain: ctx.config.rootDomain, localZone: ctx.config.zone }, latency: new Map() };
    states.set(ctx, s);
  }
  return s;
}

function finish(ctx: NodeContext, s: NodeState, body: ResolveResult | LocalAnswer, started: number): Reply {
  let latency = s.latency.get(body.status);
  if (!latency) s.latency.set(body.status, (latency = ctx.metrics.queryLatency.child({ endpoint: 'resolve', status: body.status })));
  latency.observe((performance.now() - started) / 1000);
  return { status: body.status === 'NXDOMAIN' ? 404 : 200, type: JSON_TYPE, body: s.render(body) };
}

function failure(ctx: NodeContext, err: unknown): Reply {
  if (!isExpectedError(err)) ctx.log.error({ err }, 'unhandled error');
  const { status, body } = problemBody(err);
  return { status, type: PROBLEM_TYPE, body };
}

/**
 * Never rejects: failures become problem+json (unexpected ones are logged as bugs).
 * Synchronous when the answer is at hand (rd=0, our own zone, a fresh in-process cache
 * hit), so the hot path allocates no promise at all; a promise when it needs a walk.
 */
export function resolveReply(ctx: NodeContext, req: ResolveRequest): Reply | Promise<Reply> {
  try {
    const raw = param(req.url, 'name');
    if (raw === undefined || raw === '') throw new StewardError('BAD_REQUEST', 'query parameter name is required');
    const rd = oneOfValue(param(req.url, 'rd'), 'rd', FLAGS, '1');
    const trace = oneOfValue(param(req.url, 'trace'), 'trace', FLAGS, '0');
    const s = state(ctx);
    const fqid = qualify(raw, s.names);
    const started = performance.now();
    if (rd === '0' || rd === 'false') {
      // Other registries' resolvers identify themselves; internal records stay inside their zone.
      return finish(ctx, s, answerAuthoritatively(req.fromResolver ? ctx.publicView : ctx.view, fqid), started);
    }
    const opts = trace === '1' || trace === 'true' ? TRACE : NO_TRACE;
    const now = ctx.resolver.resolveNow(fqid, opts);
    if (now) return finish(ctx, s, now, started);
    return ctx.resolver.resolve(fqid, opts).then((body) => finish(ctx, s, body, started)).catch((err) => failure(ctx, err));
  } catch (err) {
    return failure(ctx, err);
  }
}

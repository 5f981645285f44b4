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
  /**
   * The URL hono sees for this request (`c.req.url`), or just the request target: only the
   * query, after the first `?`, is read.
   */
  url: string;
  /** True when another registry's resolver is asking (it sent RESOLVER_HEADER). */
  fromResolver: boolean;
}

interface Params {
  name?: string;
  rd?: string;
  trace?: string;
}

const ENCODED = /[%+#]/;

/**
 * The three parameters as hono's `c.req.query(key)` reads them: first value wins, `+` and
 * %XX decoded. A query with nothing to decode (the usual one) is read here in one pass;
 * any other goes to hono's own function, once per key, so both paths read the same values
 * (test/http/resolve-params.test.ts compares them on many queries).
 */
export function resolveParams(url: string): Params {
  if (ENCODED.test(url)) {
    return { name: getQueryParam(url, 'name'), rd: getQueryParam(url, 'rd'), trace: getQueryParam(url, 'trace') } as Params;
  }
  const p: Params = {};
  const q = url.indexOf('?');
  if (q === -1) return p;
  let start = q + 1;
  let eq = -1;
  for (let i = start; i <= url.length; i++) {
    const c = i === url.length ? 38 : url.charCodeAt(i);
    if (c === 61 /* = */) {
      if (eq === -1) eq = i;
      continue;
    }
    if (c !== 38 /* & */) continue;
    const keyEnd = eq === -1 ? i : eq;
    const value = eq === -1 ? '' : url.slice(eq + 1, i);
    const len = keyEnd - start;
    if (len === 4 && p.name === undefined && url.startsWith('name', start)) p.name = value;
    else if (len === 2 && p.rd === undefined && url.startsWith('rd', start)) p.rd = value;
    else if (len === 5 && p.trace === undefined && url.startsWith('trace', start)) p.trace = value;
    start = i + 1;
    eq = -1;
  }
  return p;
}

/** What each node keeps for its answers: the kept bytes, and objects made once, not per query. */
interface NodeState {
  render: ReturnType<typeof answerRenderer>;
  names: { rootDomain: string; localZone: string };
  /** The latency series of each answer status, looked up once. */
  latency: Map<string, Observer>;
  /** Queries read before, by URL (bounded): popular names are asked again and again. */
  queries: Map<string, Query>;
}

/** Distinct query URLs kept read; past it the oldest is dropped (a miss only costs a read). */
const KEPT_QUERIES = 4096;
const states = new WeakMap<NodeContext, NodeState>();

function state(ctx: NodeContext): NodeState {
  let s = states.get(ctx);
  if (!s) {
    s = { render: answerRenderer(), names: { rootDomain: ctx.config.rootDomain, localZone: ctx.config.zone }, latency: new Map(), queries: new Map() };
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

/** A query read and checked: the name qualified, the flags turned into what they select. */
interface Query {
  fqid: string;
  authoritative: boolean;
  opts: typeof TRACE | typeof NO_TRACE;
}

/** The query of `url`: read once, then kept (a query is a pure function of its URL). */
function query(s: NodeState, url: string): Query {
  let q = s.queries.get(url);
  if (!q) {
    q = readQuery(url, s.names); // (a bad query throws here and is not kept)
    if (s.queries.size >= KEPT_QUERIES) s.queries.delete(s.queries.keys().next().value!);
    s.queries.set(url, q);
  }
  return q;
}

function readQuery(url: string, names: NodeState['names']): Query {
  const p = resolveParams(url);
  if (p.name === undefined || p.name === '') throw new StewardError('BAD_REQUEST', 'query parameter name is required');
  const rd = oneOfValue(p.rd, 'rd', FLAGS, '1');
  const trace = oneOfValue(p.trace, 'trace', FLAGS, '0');
  return { fqid: qualify(p.name, names), authoritative: rd === '0' || rd === 'false', opts: trace === '1' || trace === 'true' ? TRACE : NO_TRACE };
}

/**
 * Never rejects: failures become problem+json (unexpected ones are logged as bugs).
 * Synchronous when the answer is at hand (rd=0, our own zone, a fresh in-process cache
 * hit), so the hot path allocates no promise at all; a promise when it needs a walk.
 */
export function resolveReply(ctx: NodeContext, req: ResolveRequest): Reply | Promise<Reply> {
  try {
    const s = state(ctx);
    const q = query(s, req.url);
    const started = performance.now();
    if (q.authoritative) {
      // Other registries' resolvers identify themselves; internal records stay inside their zone.
      return finish(ctx, s, answerAuthoritatively(req.fromResolver ? ctx.publicView : ctx.view, q.fqid), started);
    }
    const now = ctx.resolver.resolveNow(q.fqid, q.opts);
    if (now) return finish(ctx, s, now, started);
    return ctx.resolver.resolve(q.fqid, q.opts).then((body) => finish(ctx, s, body, started)).catch((err) => failure(ctx, err));
  } catch (err) {
    return failure(ctx, err);
  }
}

// GET /v1/resolve?name=N[&rd=0][&trace=1] — the one implementation of its semantics.
// Framework-free (request URL in, status + content-type + JSON bytes out) so that the
// hono route (app.request(), every other method and odd URL) and the node's raw
// node:http fast path (fast-resolve.ts) answer with the same bytes.
import { getQueryParam } from 'hono/utils/url';
import { StewardError } from '../errors/index.js';
import { qualify } from '../names/index.js';
import type { Observer } from '../metrics/index.js';
import type { NodeContext } from '../node/context.js';
import { INSIDE, OUTSIDE, type Audience } from '../records/visibility.js';
import { answerAuthoritatively } from '../resolver/index.js';
import type { LocalAnswer, ResolveResult } from '../resolver/types.js';
import { answerRenderer } from './answer-body.js';
import { oneOfValue } from './body.js';
import { isExpectedError, problemBody, PROBLEM_TYPE } from './problem.js';

export const JSON_TYPE = 'application/json';
const FLAGS = ['0', '1', 'true', 'false'] as const;
// The resolver options a query can select, made once: [trace][audience].
const OPTS = {
  trace: { inside: Object.freeze({ trace: true, audience: INSIDE }), outside: Object.freeze({ trace: true, audience: OUTSIDE }) },
  plain: { inside: Object.freeze({ trace: false, audience: INSIDE }), outside: Object.freeze({ trace: false, audience: OUTSIDE }) },
} as const;

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
  /**
   * Who asks (src/http/audience.ts): another registry (RESOLVER_HEADER, a signed request)
   * or a client outside `policy.internal_clients` is outside and never sees an internal record.
   */
  audience: Audience;
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
  /** One keeper per audience: an internal name renders differently inside and out. */
  render: Record<Audience, ReturnType<typeof answerRenderer>>;
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
    s = { render: { inside: answerRenderer(), outside: answerRenderer() }, names: { rootDomain: ctx.config.rootDomain, localZone: ctx.config.zone }, latency: new Map(), queries: new Map() };
    states.set(ctx, s);
  }
  return s;
}

function finish(ctx: NodeContext, s: NodeState, body: ResolveResult | LocalAnswer, started: number, audience: Audience): Reply {
  let latency = s.latency.get(body.status);
  if (!latency) s.latency.set(body.status, (latency = ctx.metrics.queryLatency.child({ endpoint: 'resolve', status: body.status })));
  latency.observe((performance.now() - started) / 1000);
  return { status: body.status === 'NXDOMAIN' ? 404 : 200, type: JSON_TYPE, body: s.render[audience](body) };
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
  opts: (typeof OPTS)['trace' | 'plain'];
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
  return { fqid: qualify(p.name, names), authoritative: rd === '0' || rd === 'false', opts: trace === '1' || trace === 'true' ? OPTS.trace : OPTS.plain };
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
    const audience = req.audience;
    if (q.authoritative) {
      // Internal records stay inside their zone: outside askers get the public view.
      return finish(ctx, s, answerAuthoritatively(audience === INSIDE ? ctx.view : ctx.publicView, q.fqid), started, audience);
    }
    const opts = q.opts[audience];
    const now = ctx.resolver.resolveNow(q.fqid, opts);
    if (now) return finish(ctx, s, now, started, audience);
    return ctx.resolver.resolve(q.fqid, opts).then((body) => finish(ctx, s, body, started, audience)).catch((err) => failure(ctx, err));
  } catch (err) {
    return failure(ctx, err);
  }
}

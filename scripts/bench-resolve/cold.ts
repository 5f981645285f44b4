// Cold resolution over HTTP: how long a walk takes when the asking node has nothing
// cached, through three referrals (vibe-agency.com -> com -> root -> org -> anthropic.org:
// up to the root, then down two) versus one (org -> anthropic.org, its own delegation).
// Each case swaps one resolver of its own into the asking node, and its cache is emptied
// before every run; the upstream client (keep-alive connections, RTT estimates) is shared
// across runs, as it is in a node that has been up for a while, so the figure is
// resolution work, not TCP handshakes. (A fresh resolver per run, as before, made ~1 MB of
// preallocated LRU arrays per run, whose garbage collection then landed in timed walks.)
import { Pool } from 'undici';
import type { RunningNode } from '../../src/node/index.js';
import { createResolver, MemoryCache, Upstream } from '../../src/resolver/index.js';
import { median, percentiles, round } from './stats.js';

const COLD_CACHE_ENTRIES = 1_000;

export interface ColdCase {
  label: string;
  node: RunningNode;
  name: string;
  /** Zones the walk must ask, in order (checked on every run). */
  path: string[];
}

async function askOnce(pool: Pool, name: string): Promise<{ ms: number; body: { status: string; path?: string[]; source?: string } }> {
  const t = performance.now();
  const res = await pool.request({ path: `/v1/resolve?name=${encodeURIComponent(name)}`, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await res.body.json()) as { status: string; path?: string[]; source?: string };
  const ms = performance.now() - t;
  if (res.statusCode !== 200) throw new Error(`${name}: HTTP ${res.statusCode} ${JSON.stringify(body)}`);
  return { ms, body };
}

export async function coldRuns(cases: ColdCase[], runs: number, warmup = 1) {
  const state = cases.map((c) => {
    const { ctx } = c.node;
    const upstream = new Upstream(undefined, { metrics: ctx.metrics, identity: ctx.view.zone, rootDomain: ctx.view.rootDomain, allowPrivate: ctx.config.policy.upstreams.allowPrivate });
    const cache = new MemoryCache({ entries: COLD_CACHE_ENTRIES });
    const resolver = createResolver({
      view: ctx.view,
      cache,
      upstream: { ask: (...a) => upstream.ask(...a) }, // no close(): closed below
      metrics: ctx.metrics,
    });
    return { c, upstream, cache, resolver, pool: new Pool(c.node.url, { connections: 1 }), original: c.node.ctx.resolver, ms: [] as number[] };
  });
  try {
    // Discarded runs first: the shared upstream connections and, with enough of them, the
    // JIT of every process on the path warm up (a node that has been up has hot code).
    for (let r = -warmup; r < runs; r++) {
      const order = r % 2 === 0 ? state : [...state].reverse();
      for (const s of order) {
        const { ctx } = s.c.node;
        s.cache.clear();
        ctx.resolver = s.resolver;
        try {
          const { ms, body } = await askOnce(s.pool, s.c.name);
          const path = body.path ?? [];
          if (body.status !== 'NOERROR' || body.source !== 'authoritative' || path.join() !== s.c.path.join()) {
            throw new Error(`cold ${s.c.label}: expected a fresh walk over ${s.c.path.join(' -> ')}, got ${JSON.stringify(body).slice(0, 300)}`);
          }
          if (r >= 0) s.ms.push(ms);
        } finally {
          ctx.resolver = s.original;
        }
      }
    }
  } finally {
    for (const s of state) {
      s.c.node.ctx.resolver = s.original;
      await s.pool.close();
      await s.resolver.close();
      await s.upstream.close();
    }
  }
  const out: Record<string, unknown> = {};
  for (const s of state) {
    const p = percentiles(s.ms);
    out[s.c.label] = { from: s.c.node.ctx.config.zone, name: s.c.name, path: s.c.path, runs: s.ms.length, median_ms: round(median(s.ms)), p90_ms: p.p90, max_ms: p.max };
  }
  return out;
}

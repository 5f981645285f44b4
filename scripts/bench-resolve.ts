// Resolver costs on the demo federation (zones/*.json on port 0), printed as JSON:
//   npx tsx scripts/bench-resolve.ts [--queries 20000] [--width 32] [--redis URL | --no-redis]
// - cold walk over HTTP: a name in another branch, nothing cached (median of distinct names)
// - cache hit over HTTP: GET /v1/resolve q/s with `width` requests in flight (undici Pool)
// - cache hit in process: resolver.resolve() q/s, sequential
// - Redis-tier hit: a second node of the site, its memory empty (median µs)
// Without --redis, a throwaway redis-server is started when one is installed.
// The machine is shared: each rate is the median of 3 runs.
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { startFederation } from '../src/node/federation.js';
import { loadZoneDir } from '../src/zonefile/index.js';
import { redisAvailable, startRedis, type TestRedis } from '../test/helpers/redis.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const QUERIES = arg('queries', 20_000);
const WIDTH = arg('width', 32);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function rate(n: number, width: number, fn: (i: number) => Promise<unknown>, runs = 3): Promise<number> {
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    let next = 0;
    const t = performance.now();
    await Promise.all(Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }));
    out.push(n / ((performance.now() - t) / 1000));
  }
  return Math.round(median(out));
}

async function main() {
  let redis: TestRedis | undefined;
  const i = process.argv.indexOf('--redis');
  let redisUrl = i > 0 ? process.argv[i + 1] : undefined;
  if (!redisUrl && !process.argv.includes('--no-redis') && redisAvailable()) {
    redis = await startRedis();
    redisUrl = redis.url;
  }
  const configs = loadZoneDir(fileURLToPath(new URL('../zones', import.meta.url)));
  const root = configs.find((c) => !c.parent)!.zone;
  const fed = await startFederation(configs, { ephemeralPorts: true, fsync: false, redisUrl });
  try {
    const a = fed.byZone(`vibe-agency.com.${root}`);
    const b = fed.byZone(`acme-corp.com.${root}`);
    for (let k = 0; k < 250 && redisUrl && !fed.nodes.every((n) => n.ctx.resolver.cacheState().shared === 'up'); k++) await new Promise((r) => setTimeout(r, 20));
    const pool = new Pool(a.url, { connections: WIDTH });
    const get = async (name: string) => {
      const res = await pool.request({ path: `/v1/resolve?name=${name}`, method: 'GET', headersTimeout: 5_000, bodyTimeout: 5_000 });
      const body = (await res.body.json()) as { status: string };
      if (res.statusCode >= 500) throw new Error(`${name}: HTTP ${res.statusCode}`);
      return body;
    };

    // Cold walks: distinct absent names across the tree (vibe -> com -> root -> org -> openai the first time;
    // later names reuse cached referrals, so measure the very first of each branch on a fresh node).
    await get(`warm-up.vibe-agency.com.${root}`);
    const cold: number[] = [];
    for (const ns of ['openai.org', 'anthropic.org', 'github', 'acme-corp.com']) {
      const t = performance.now();
      await get(`nobody.${ns}.${root}`);
      cold.push(performance.now() - t);
    }
    const warmWalk: number[] = [];
    for (let k = 0; k < 50; k++) {
      const t = performance.now();
      await get(`absent-${k}.openai.org.${root}`); // starts at the cached openai.org referral: one upstream question
      warmWalk.push(performance.now() - t);
    }

    const hot = `gpt-planner.openai.org.${root}`;
    await get(hot);
    const httpHit = await rate(QUERIES, WIDTH, () => get(hot));
    const resolver = a.ctx.resolver;
    const inProcessHit = await rate(QUERIES * 5, 1, () => resolver.resolve(hot));

    let redisTierUs: number | undefined;
    if (redisUrl) {
      const names = Array.from({ length: 500 }, (_, k) => `shared-${k}.openai.org.${root}`);
      for (const n of names) await resolver.resolve(n);
      const lat: number[] = [];
      for (const n of names) {
        const t = performance.now();
        const ans = await b.ctx.resolver.resolve(n);
        lat.push(performance.now() - t);
        if (ans.source !== 'cache') throw new Error(`expected a Redis hit for ${n}, got ${ans.source}`);
      }
      redisTierUs = Math.round(median(lat) * 1000);
    }
    await pool.close();
    console.log(JSON.stringify({
      nodes: fed.nodes.length,
      redis: redisUrl ? 'on' : 'off',
      cold_walk_ms_median: Number(median(cold).toFixed(2)),
      one_hop_walk_ms_median: Number(median(warmWalk).toFixed(2)),
      http_cache_hit_qps: httpHit,
      http_width: WIDTH,
      in_process_cache_hit_qps: inProcessHit,
      redis_tier_hit_us_median: redisTierUs,
    }, null, 2));
  } finally {
    await fed.close();
    await redis?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

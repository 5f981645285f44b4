// Warm-cache resolve over HTTP against a bare node:http floor, cold walks, and a fixed
// 10,000 q/s run, on the demo federation. One JSON object on stdout:
//   npx tsx scripts/bench-resolve.ts [--seconds 30] [--rate 10000] [--rounds 7]
//        [--round-seconds 5] [--connections 32] [--cold-runs 200] [--no-read-limit]
//        [--in-process] [--no-wrk] [--request-log]
// `--request-log` measures only what request logging at info costs warm resolves
// (log-cost.ts: the same leaf twice, LOG_LEVEL=warn vs info; target < 5%).
// Headline (`as_users_run_it`, as-run.ts): every zone its own `steward-registry serve`
// process, the bare node:http baseline its own process, each load generator its own process:
// 1. cold: median HTTP latency of a fresh walk through three referrals vs one, asked of a
//    node alone in its process (cold-proc.ts) — every zone it asks is another process;
// 2. warm: GET /v1/resolve for a name in another branch, cached, vs the baseline sending the
//    same bytes; closed-loop load, same connections and duration, alternated `rounds`
//    times; the median of the per-round throughput ratios;
// 3. fixed rate: open loop at `rate` q/s for `seconds` (after 2 s at that rate, not counted),
//    latency from the intended send time, against ours and then as long against the baseline.
// `--in-process` adds the old set-up as a second, labelled section (`in_process`): every
// node and the baseline inside this process (in-process.ts), what the bench measured
// before; README explains why its tail differs.
// The load comes from one client, so the zones' per-client read limit (policy.limits) is
// raised out of reach: its token bucket still runs on every request (its cost is in the
// figures) but never refuses; --no-read-limit turns it off, for an A/B of that cost.
// Targets (issue #11): ratio >= 0.9; 10,000 q/s for 30 s with p99 < 10 ms; cold walk
// <= 1.5 ms through three referrals, <= 0.6 ms through one. Every phase has a deadline
// and a progress line on stderr; a stuck phase ends the run with an error naming it.
import { cpus, loadavg } from 'node:os';
import { benchName, exitOnFailure } from './bench-common/phase.js';
import { asUsersRunIt } from './bench-resolve/as-run.js';
import { wrkVersion } from './bench-resolve/drivers.js';
import { inProcess } from './bench-resolve/in-process.js';
import { logCost } from './bench-resolve/log-cost.js';
import { round } from './bench-resolve/stats.js';

import { argv, num } from './bench-common/args.js';

benchName('bench-resolve');
const opts = {
  seconds: num('seconds', 30),
  rate: num('rate', 10_000),
  rounds: num('rounds', 7),
  roundSeconds: num('round-seconds', 5),
  connections: num('connections', 32),
  coldRuns: num('cold-runs', 200),
  readLimit: argv.includes('--no-read-limit') ? (false as const) : { points: 10_000_000, per_seconds: 1 },
};
const WRK = argv.includes('--no-wrk') ? undefined : wrkVersion();
const loads = () => loadavg().map((x) => round(x, 2));

async function main() {
  const startLoad = loads();
  if (argv.includes('--request-log')) {
    const r = await logCost(opts);
    console.log(JSON.stringify({ machine: { cpus: cpus().length, node: process.version, loadavg_start: startLoad, loadavg_end: loads() }, request_log: r }, null, 2));
    process.exit(0);
  }
  const headline = await asUsersRunIt(opts);
  const second = argv.includes('--in-process') ? await inProcess({ ...opts, useWrk: !!WRK }) : undefined;
  console.log(JSON.stringify({
    machine: { cpus: cpus().length, node: process.version, loadavg_start: startLoad, loadavg_end: loads() },
    generator: { closed_loop: 'loadgen.ts (own process)', open_loop: 'loadgen.ts (own process)', ...(second && WRK ? { in_process_closed_loop: `wrk ${WRK}` } : {}) },
    as_users_run_it: headline,
    ...(second ? { in_process: second } : {}),
  }, null, 2));
  process.exit(0);
}

main().catch(exitOnFailure);

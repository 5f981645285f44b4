// The in-process figures (what the bench measured before): every node of the demo
// federation and the bare node:http baseline inside THIS process (startFederation, as an
// embedding application or a test would run them), load generators in their own
// processes. Kept as a second, labelled section: the difference to the headline (as-run.ts)
// is the cost of sharing one event loop and one heap with the measured node (README).
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startFederation } from '../../src/node/federation.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { progress, withDeadline } from '../bench-common/phase.js';
import { summary } from './as-run.js';
import type { AsRunOptions } from './as-run.js';
import { startBaseline } from './baseline.js';
import { coldRuns } from './cold.js';
import { closedLoop, fixedRate, FIXED_RATE_WARMUP_S } from './drivers.js';
import type { LoadResult } from './loadgen.js';
import { median, round } from './stats.js';

/**
 * Server CPU (this process: every node and the baseline) per request, in µs, and how long
 * the server's event loop was held up (its own stalls: GC, long tasks, or the host taking
 * the CPU away), to tell them from the generator's.
 */
export async function measured(run: () => Promise<LoadResult>) {
  const cpu = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let gcMs = 0;
  let gcMaxMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcMaxMs = Math.max(gcMaxMs, e.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  loop.enable();
  const r = await run();
  loop.disable();
  gc.disconnect();
  const used = process.cpuUsage(cpu);
  return {
    ...r,
    server_cpu_us_per_req: round((used.user + used.system) / Math.max(1, r.requests), 1),
    server_loop_delay_ms: { p99: round(loop.percentile(99) / 1e6, 1), max: round(loop.max / 1e6, 1) },
    server_gc_ms: { total: Math.round(gcMs), max: round(gcMaxMs, 1) },
  };
}

export async function inProcess(o: AsRunOptions & { useWrk: boolean }) {
  const configs = loadZoneDir(fileURLToPath(new URL('../../zones', import.meta.url))).map((c) => ({
    ...c,
    policy: { ...c.policy, limits: { ...c.policy.limits, reads_per_client: o.readLimit } },
  }));
  const root = configs.find((c) => !c.parent)!.zone;
  const fed = await withDeadline('in-process federation start-up', 60_000, () => startFederation(configs, { ephemeralPorts: true, fsync: false }));
  let baseline: Awaited<ReturnType<typeof startBaseline>> | undefined;
  try {
    const ours = fed.byZone(`vibe-agency.com.${root}`);
    const org = fed.byZone(`org.${root}`);
    const name = `claude-architect.anthropic.org.${root}`;
    const cold = await withDeadline('in-process cold walks', 60_000 + o.coldRuns * 4_000, () =>
      coldRuns(
        [
          { label: 'three_referrals', node: ours, name, path: [`com.${root}`, root, `org.${root}`, `anthropic.org.${root}`] },
          { label: 'one_referral', node: org, name, path: [`org.${root}`, `anthropic.org.${root}`] },
        ],
        o.coldRuns,
      ),
    );
    const c3 = (cold.three_referrals as { median_ms: number }).median_ms;
    const c1 = (cold.one_referral as { median_ms: number }).median_ms;
    const url = `${ours.url}/v1/resolve?name=${name}`;
    await fetch(url, { signal: AbortSignal.timeout(10_000) }).then((r) => r.arrayBuffer());
    const hit = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = Buffer.from(await hit.arrayBuffer());
    baseline = await startBaseline(body, { status: hit.status, contentType: hit.headers.get('content-type')!, keepAliveTimeout: 65_000 });
    const base = `${baseline.url}/v1/resolve?name=${name}`;
    const drive = (u: string, seconds: number, label: string) =>
      withDeadline(label, (seconds + 60) * 1000, () => measured(() => closedLoop(u, { connections: o.connections, seconds, useWrk: o.useWrk })));
    await drive(url, 2, 'in-process warm-up ours');
    await drive(base, 2, 'in-process warm-up baseline');
    const oursRuns: Awaited<ReturnType<typeof measured>>[] = [];
    const baseRuns: typeof oursRuns = [];
    const ratios: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      let a, b;
      if (r % 2 === 0) {
        a = await drive(url, o.roundSeconds, `in-process round ${r + 1} ours`);
        b = await drive(base, o.roundSeconds, `in-process round ${r + 1} baseline`);
      } else {
        b = await drive(base, o.roundSeconds, `in-process round ${r + 1} baseline`);
        a = await drive(url, o.roundSeconds, `in-process round ${r + 1} ours`);
      }
      oursRuns.push(a);
      baseRuns.push(b);
      ratios.push(a.rps / b.rps);
      progress(`in-process round ${r + 1}: ours ${a.rps} q/s, baseline ${b.rps} q/s`);
    }
    const fixedMs = (FIXED_RATE_WARMUP_S + o.seconds + 90) * 1000;
    const fixed = await withDeadline('in-process fixed rate ours', fixedMs, () => measured(() => fixedRate(url, { rate: o.rate, seconds: o.seconds })));
    const fixedBase = await withDeadline('in-process fixed rate baseline', fixedMs, () => measured(() => fixedRate(base, { rate: o.rate, seconds: o.seconds })));
    return {
      setup: 'every node and the bare node:http baseline inside the bench process (startFederation); load generators in their own processes',
      cold: { ...cold, three_vs_one: round(c3 / c1, 2) },
      warm: {
        ours: summary(oursRuns),
        baseline: summary(baseRuns),
        throughput_ratio: round(median(ratios), 3),
        throughput_ratios: ratios.map((x) => round(x, 3)),
      },
      fixed_rate: { p99_ms: { ours: fixed.latency_ms.p99, baseline: fixedBase.latency_ms.p99 }, ours: fixed, baseline: fixedBase },
    };
  } finally {
    await baseline?.close();
    await fed.close();
  }
}

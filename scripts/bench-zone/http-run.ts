// HTTP phase, orchestration: one server process (a real node, fsync on) and, `runs` times,
// a fresh client process that publishes `count` new agents over `connections` keep-alive
// connections. Client and server are separate processes on the same cores, so besides
// publishes/s each run reports the server's own CPU per publish (process.cpuUsage of the
// server over the run) and its event-loop utilisation (near 1: the server's main thread is
// the limit; well below: the client or the disk is). The summary is the median run.
import type { ChildProcess } from 'node:child_process';
import type { ServerStats } from './http-server.js';

export type Phase = (args: string[], opts?: { nodeArgs?: string[]; onLine?: (line: string, child: ChildProcess) => void }) => Promise<any>;

export interface HttpRunOptions {
  phase: Phase;
  dir: string;
  count: number;
  connections: number;
  runs: number;
  /** Publishes before the measured runs (JIT, caches, first log segment), not counted. */
  warmup: number;
  /** Extra node flags for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=DIR']. */
  serverNodeArgs?: string[];
  log(msg: string): void;
  /** Where the phase says how far it got (its progress line and a deadline's message). */
  status?: (text: () => string) => void;
}

/** A step of the HTTP phase that must answer in time: the error names the step. */
function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`HTTP phase: ${what} did not finish within ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runHttp(o: HttpRunOptions) {
  let server: ChildProcess | undefined;
  let step = 'starting the server';
  o.status?.(() => step);
  // The server's first line is its URL; after that each line answers one stdin command.
  const replies: ((line: string) => void)[] = [];
  const url = await within('server start-up', 120_000, new Promise<string>((resolve, reject) => {
    o.phase(['--phase', 'server', '--dir', o.dir], {
      nodeArgs: o.serverNodeArgs,
      onLine: (line, child) => {
        if (server) return replies.shift()?.(line);
        server = child;
        resolve((JSON.parse(line) as { url: string }).url);
      },
    }).catch(reject);
  }));
  // The server answers each command with one line; if it dies, nothing will answer.
  let gone: Error | undefined;
  const closed = new Promise<void>((resolve) => server!.once('close', (code) => ((gone = new Error(`HTTP phase: the server exited (${code}) during "${step}"`)), resolve())));
  const ask = (cmd: string) => within(`server command "${cmd}"`, 30_000, new Promise<any>((resolve, reject) => {
    if (gone) return reject(gone);
    replies.push((line) => resolve(JSON.parse(line)));
    server!.stdin!.write(`${cmd}\n`);
    void closed.then(() => reject(gone));
  }));

  const runs = [];
  // A client publishes `count` names; far more than it needs at 100/s is a stuck client.
  const client = (count: number, first: number) =>
    within(`client publishing ${count}`, 120_000 + count * 10, o.phase(['--phase', 'client', '--url', url, '--http', String(count), '--connections', String(o.connections), '--first', String(first)]));
  try {
    if (o.warmup > 0) {
      step = `warm-up: ${o.warmup} publishes`;
      const w = await client(o.warmup, 40_000_000);
      o.log(`HTTP warm-up: ${w.created}/${w.publishes} published, ${w.publishes_per_s} publishes/s (not counted)`);
    }
    for (let r = 0; r < o.runs; r++) {
      step = `run ${r + 1}/${o.runs}: ${o.count} publishes`;
      await ask('mark');
      const c = await client(o.count, 50_000_000 + r * o.count);
      const s = (await ask('stats')) as ServerStats;
      const serverCpuMs = s.cpu_user_ms + s.cpu_system_ms;
      const run = {
        ...c,
        server_cpu_us_per_publish: Math.round((serverCpuMs * 1000) / Math.max(1, c.created)),
        server_cpu_share_of_one_core: Number((serverCpuMs / 1000 / c.seconds).toFixed(2)),
        server_event_loop_utilization: s.event_loop_utilization,
        server_gc_us_per_publish: Math.round((s.gc_ms * 1000) / Math.max(1, c.created)),
        server_serial_after: s.serial,
      };
      o.log(`HTTP run ${r + 1}/${o.runs}: ${run.publishes_per_s} publishes/s, server ${run.server_cpu_us_per_publish} µs CPU/publish (GC ${run.server_gc_us_per_publish}), ELU ${run.server_event_loop_utilization}, client ${run.client_cpu_us_per_publish} µs CPU/publish`);
      runs.push(run);
    }
  } finally {
    step = 'stopping the server';
    server!.stdin!.end();
    await within('server shut-down', 30_000, closed).catch((err) => {
      server!.kill('SIGKILL');
      throw err;
    });
  }
  const rates = runs.map((r) => r.publishes_per_s);
  const mid = runs.find((r) => r.publishes_per_s === median(rates))!;
  return {
    publishes_per_s: median(rates),
    publishes_per_s_range: [Math.min(...rates), Math.max(...rates)],
    server_cpu_us_per_publish: median(runs.map((r) => r.server_cpu_us_per_publish)),
    client_cpu_us_per_publish: median(runs.map((r) => r.client_cpu_us_per_publish)),
    server_event_loop_utilization: median(runs.map((r) => r.server_event_loop_utilization)),
    server_gc_us_per_publish: median(runs.map((r) => r.server_gc_us_per_publish)),
    median_run: mid,
    runs: runs.map(({ publishes_per_s, seconds, created, server_cpu_us_per_publish, client_cpu_us_per_publish, server_event_loop_utilization, latency_ms, first_error }) =>
      ({ publishes_per_s, seconds, created, server_cpu_us_per_publish, client_cpu_us_per_publish, server_event_loop_utilization, latency_p50_ms: latency_ms.p50, latency_p99_ms: latency_ms.p99, first_error })),
  };
}

// `--request-log`: what request logging at info costs the warm resolve path. Two
// `steward-registry serve` processes of the same leaf zone file (the demo federation
// behind them), identical but for LOG_LEVEL: warn (no request lines) and info (one JSON
// line per request to stdout, here a file, as an operator would redirect it). Closed-loop
// rounds alternate between them; per round the throughput ratio (on / off) and the server
// CPU per request, both medians over the rounds. Target (issue #10): under 5% cost.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { procCpuSeconds, startProcFederation } from '../bench-common/federation.js';
import { progress, track, withDeadline } from '../bench-common/phase.js';
import { closedLoop } from './drivers.js';
import { median, round } from './stats.js';

const MAIN = fileURLToPath(new URL('../../src/cli/registry/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Node { url: string; pid: number; child: ChildProcess; out: string }

async function serve(zoneFile: string, certsDir: string, level: string, dir: string): Promise<Node> {
  const out = join(dir, `${level}.log`);
  const fd = openSync(out, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--zone', zoneFile, '--port', '0', '--memory', '--certs-dir', certsDir], {
    cwd: REPO, stdio: ['ignore', fd, 'inherit'], env: { ...process.env, LOG_LEVEL: level },
  });
  closeSync(fd);
  track(child);
  for (const end = Date.now() + 60_000; Date.now() < end; ) {
    const m = /^\S+ {2}(http:\/\/\S+)$/m.exec(readFileSync(out, 'utf8'));
    if (m) return { url: m[1]!, pid: child.pid!, child, out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`serve (LOG_LEVEL=${level}) did not start: ${readFileSync(out, 'utf8').slice(-500)}`);
}

export async function logCost(o: { rounds: number; roundSeconds: number; connections: number; readLimit: false | { points: number; per_seconds: number } }) {
  const fed = await startProcFederation({ policy: (p) => ({ ...p, limits: { ...(p.limits ?? {}), reads_per_client: o.readLimit } }), log: progress, deadlineMs: 300_000 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-log-cost-'));
  const nodes: Node[] = [];
  try {
    const leaf = fed.byZone(`vibe-agency.com.${fed.root}`);
    const off = await serve(leaf.file, fed.certsDir, 'warn', dir);
    nodes.push(off);
    const on = await serve(leaf.file, fed.certsDir, 'info', dir);
    nodes.push(on);
    const name = `claude-architect.anthropic.org.${fed.root}`;
    const q = (n: Node) => `${n.url}/v1/resolve?name=${name}`;
    for (const n of [off, on]) {
      await fetch(q(n)).then((r) => r.text());
      const hit = await fetch(q(n)).then((r) => r.json() as Promise<{ source?: string }>);
      if (hit.source !== 'cache') throw new Error(`expected a cache hit from ${n.url}, got ${JSON.stringify(hit).slice(0, 200)}`);
    }
    const drive = async (n: Node, seconds: number, label: string) => {
      const before = procCpuSeconds(n.pid);
      const r = await withDeadline(label, (seconds + 60) * 1000, () => closedLoop(q(n), { connections: o.connections, seconds, useWrk: false }));
      return { rps: r.rps, requests: r.requests, errors: r.errors, cpu_us: round(((procCpuSeconds(n.pid) - before) * 1e6) / Math.max(1, r.requests), 1) };
    };
    await drive(off, 2, 'warm-up off');
    await drive(on, 2, 'warm-up on');
    const offRuns = [], onRuns = [], ratios: number[] = [], cpuRatios: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const first = r % 2 === 0 ? off : on;
      const a = await drive(first, o.roundSeconds, `round ${r + 1} ${first === off ? 'off' : 'on'}`);
      const b = await drive(first === off ? on : off, o.roundSeconds, `round ${r + 1} ${first === off ? 'on' : 'off'}`);
      const [x, y] = first === off ? [a, b] : [b, a];
      offRuns.push(x);
      onRuns.push(y);
      ratios.push(y.rps / x.rps);
      cpuRatios.push(y.cpu_us / x.cpu_us);
      progress(`round ${r + 1}: off ${x.rps} q/s ${x.cpu_us} µs/req, on ${y.rps} q/s ${y.cpu_us} µs/req`);
    }
    await new Promise((r) => setTimeout(r, 500)); // the async destination's last batch
    const lines = readFileSync(on.out, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length;
    const offLines = readFileSync(off.out, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length;
    const ratio = round(median(ratios), 3);
    const cpuRatio = round(median(cpuRatios), 3);
    return {
      setup: 'two `steward-registry serve` processes of the leaf zone (vibe-agency.com), LOG_LEVEL=warn vs info (stdout to a file), the demo federation behind them; closed loop, alternated',
      query: `GET /v1/resolve?name=${name} (cache hit)`,
      connections: o.connections,
      rounds: o.rounds,
      seconds_per_run: o.roundSeconds,
      off: { rps_median: Math.round(median(offRuns.map((r) => r.rps))), cpu_us_per_req_median: round(median(offRuns.map((r) => r.cpu_us)), 1), errors: offRuns.reduce((n, r) => n + r.errors, 0), request_lines: offLines },
      on: { rps_median: Math.round(median(onRuns.map((r) => r.rps))), cpu_us_per_req_median: round(median(onRuns.map((r) => r.cpu_us)), 1), errors: onRuns.reduce((n, r) => n + r.errors, 0), requests: onRuns.reduce((n, r) => n + r.requests, 0), request_lines: lines },
      throughput_ratio_on_vs_off: ratio,
      throughput_ratios: ratios.map((x) => round(x, 3)),
      cpu_per_request_ratio_on_vs_off: cpuRatio,
      cpu_ratios: cpuRatios.map((x) => round(x, 3)),
      target: 'request logging costs under 5% of warm throughput (ratio >= 0.95)',
      meets_target: ratio >= 0.95,
    };
  } finally {
    for (const n of nodes) n.child.kill('SIGTERM');
    await fed.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Load drivers, each in its own process (the servers keep their core):
// - closed loop: wrk when installed (C, far cheaper per request than any Node client),
//   else our loadgen.ts in closed mode;
// - open loop (fixed rate): always loadgen.ts — wrk has no constant-rate mode.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './loadgen.js';

const LOADGEN = fileURLToPath(new URL('./loadgen.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

// wrk reports through a Lua `done` hook: one line of JSON, latencies in microseconds.
const WRK_LUA = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

export function wrkVersion(): string | undefined {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8', timeout: 5_000 });
  if (r.error) return undefined;
  return /wrk (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited with ${code}: ${err.trim().slice(-500)}`));
    });
  });
}

const us = (x: number) => Number((x / 1000).toFixed(3));

async function wrkClosed(url: string, connections: number, seconds: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-resolve-'));
  const script = join(dir, 'report.lua');
  writeFileSync(script, WRK_LUA);
  try {
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script, url];
    const out = await run('wrk', args, (seconds + 30) * 1000);
    const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
    if (!line) throw new Error(`wrk printed no report: ${out.slice(-500)}`);
    const w = JSON.parse(line.slice(8)) as Record<string, number>;
    const errors = w.connect! + w.read! + w.write! + w.status! + w.timeout!;
    const elapsed = w.duration_us! / 1e6;
    return {
      mode: 'closed',
      seconds: Number(elapsed.toFixed(2)),
      requests: w.requests!,
      errors,
      statuses: { ok: w.requests! - w.status!, non_2xx_3xx: w.status! },
      rps: Math.round(w.requests! / elapsed),
      latency_ms: { p50: us(w.p50!), p90: us(w.p90!), p99: us(w.p99!), max: us(w.max!) },
      connections_used: connections,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function loadgen(spec: LoadSpec): Promise<LoadResult> {
  const out = await run(process.execPath, ['--import', 'tsx', LOADGEN, JSON.stringify(spec)], (spec.seconds + 60) * 1000);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

/** Closed-loop load for `seconds` over `connections` keep-alive connections. */
export function closedLoop(url: string, o: { connections: number; seconds: number; useWrk: boolean }): Promise<LoadResult> {
  return o.useWrk ? wrkClosed(url, o.connections, o.seconds) : loadgen({ url, mode: 'closed', connections: o.connections, seconds: o.seconds });
}

/** Open-loop load at a constant arrival rate after a 2 s warm-up at that rate; latency from the intended send time. */
export function fixedRate(url: string, o: { rate: number; seconds: number }): Promise<LoadResult> {
  return loadgen({ url, mode: 'open', rate: o.rate, seconds: o.seconds, connections: 64, warmupSeconds: FIXED_RATE_WARMUP_S });
}

export const FIXED_RATE_WARMUP_S = 2;

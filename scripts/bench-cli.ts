// `steward resolve` as a user runs it: wall time of the whole command (node start-up,
// module loading, one request, exit) from the build in dist/ vs from the sources through
// tsx, against a local node (itself a `steward-registry serve` process from dist/).
// One JSON object on stdout:
//   npx tsx scripts/bench-cli.ts [--runs 15]
// Builds dist/ first when it is missing. Runs alternate between the two ways. Target
// (issue #10): from the build, under 300 ms.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { argv, num } from './bench-common/args.js';
import { benchName, exitOnFailure, progress, track, withDeadline } from './bench-common/phase.js';
import { percentiles, round } from './bench-resolve/stats.js';

benchName('bench-cli');
const REPO = fileURLToPath(new URL('..', import.meta.url));
const runs = num('runs', 15);
const NAME = 'vibe-agency-orchestrator';
const env = (fromSource: boolean) => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', ...(fromSource ? { STEWARD_FROM_SOURCE: '1' } : {}) });

function build() {
  if (existsSync(`${REPO}/dist/cli/steward/main.js`) && !argv.includes('--rebuild')) return;
  progress('building dist/ (npm run build)');
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stdout}${r.stderr}`);
}

async function serve(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['bin/steward-registry.js', 'serve', '--zone', 'zones/vibe-agency.com.json', '--port', '0', '--memory'], { cwd: REPO, env: env(false), stdio: ['ignore', 'pipe', 'inherit'] });
  track(child);
  let out = '';
  const url = await withDeadline('node start-up', 90_000, () => new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^\S+ {2}(http:\/\/\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
  }));
  return { url, stop: () => child.kill('SIGTERM') };
}

// The command's own CPU time (user + system, from process.cpuUsage() at exit): what the
// wall time would be on an idle core, and steadier than wall time on a loaded machine.
const CPU_REPORT = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\nCPU_US '+(u.user+u.system)+'\\n')})`;

function once(url: string, fromSource: boolean): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_REPORT, 'bin/steward.js', 'resolve', NAME, '--registry', url], { cwd: REPO, env: env(fromSource), encoding: 'utf8', timeout: 60_000 });
  const wall = performance.now() - t0;
  if (r.status !== 0 || !r.stdout.includes(NAME)) throw new Error(`steward resolve failed (${r.status}): ${r.stdout}${r.stderr}`);
  const cpu = Number(/CPU_US (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1000;
  return { wall, cpu };
}

const summary = (rs: { wall: number; cpu: number }[]) => {
  const xs = rs.map((r) => r.wall);
  const p = percentiles(xs);
  const c = percentiles(rs.map((r) => r.cpu));
  return { median_ms: round(p.p50, 1), p90_ms: round(p.p90, 1), min_ms: round(Math.min(...xs), 1), cpu_median_ms: round(c.p50, 1), cpu_p90_ms: round(c.p90, 1), runs_ms: xs.map((x) => round(x, 1)) };
};

async function main() {
  const load = loadavg().map((x) => round(x, 2));
  build();
  const node = await serve();
  try {
    once(node.url, false); // the node's first answer (and the page cache) out of the figures
    once(node.url, true);
    const dist: { wall: number; cpu: number }[] = [];
    const tsx: { wall: number; cpu: number }[] = [];
    await withDeadline(`${runs} runs each`, runs * 2 * 30_000, async (status) => {
      status(() => `${dist.length}/${runs} from dist, ${tsx.length}/${runs} through tsx`);
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) dist.push(once(node.url, false)), tsx.push(once(node.url, true));
        else tsx.push(once(node.url, true)), dist.push(once(node.url, false));
      }
    });
    const d = summary(dist);
    console.log(JSON.stringify({
      machine: { cpus: cpus().length, node: process.version, loadavg_start: load, loadavg_end: loadavg().map((x) => round(x, 2)) },
      command: `steward resolve ${NAME} --registry <local node>`,
      runs,
      dist: d,
      tsx: summary(tsx),
      speedup_median: round(percentiles(tsx.map((r) => r.wall)).p50 / d.median_ms, 2),
      target_ms: 300,
      meets_target: d.median_ms < 300,
      note: 'wall time includes waiting for a core; on a loaded machine cpu_median_ms is what the command itself costs',
    }, null, 2));
  } finally {
    node.stop();
  }
  process.exit(0);
}

main().catch(exitOnFailure);

// Federation sync at scale, printed as one JSON object (progress on stderr), in sections:
//   npx tsx scripts/bench-sync.ts [--only subtree[,...]] [--refs 1000000] [--push-path 20000]
//                                 [--work DIR] [--keep]
// Sections (each under its own deadlines, bench-common/phase.ts):
//   subtree  the root's subtree index with --refs references (bench-sync/subtree.ts):
//            apply rate through the push path and in bulk, RSS, restart (reopen in a
//            fresh process), selective discover p99.
//            Targets as the zone store's: RSS <= 1.5 GB, restart <= 15 s, p99 <= 20 ms.
// Other sections (publish-to-root latency, pulling a child) plug in beside it.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argv, num } from './bench-common/args.js';
import { benchName, exitOnFailure, progress, track, withDeadline } from './bench-common/phase.js';

benchName('bench-sync');

const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const WORK = opt('work', join(tmpdir(), 'steward-bench-sync'));

/** Runs this script again as `--phase NAME ...` in a fresh process; resolves with the JSON line it prints. */
function child(args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    track(c);
    let out = '';
    c.stdout!.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`phase ${args[1]} exited with ${code}${code === 0 ? ' without a result' : ''}`));
    });
  });
}

async function subtree() {
  const { buildSubtree, SUBTREE_DEADLINE } = await import('./bench-sync/subtree.js');
  const refs = num('refs', 1_000_000);
  const dir = join(WORK, `subtree-${refs}`);
  progress(`subtree: ${refs} references in ${dir}`);
  const built = await buildSubtree(dir, refs, num('push-path', 20_000));
  const restart = await withDeadline('subtree restart', SUBTREE_DEADLINE.restart, () => child(['--phase', 'subtree-restart', '--dir', dir, '--refs', String(refs)]));
  if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  // A node holding the index (as bench-zone counts it): after the reopen and after the queries.
  // The build's own RSS (with its garbage) is in build.memory.
  const rss = Math.max(restart.memory_after_open.rss_mb, restart.memory_end.rss_mb);
  return {
    references: refs,
    ...built,
    restart,
    targets: {
      rss_le_1500_mb: { value: rss, ok: rss <= 1500 },
      restart_le_15_s: { value: restart.reopen.seconds, ok: restart.reopen.seconds <= 15, cpu_seconds: restart.reopen.cpu_seconds },
      discover_selective_p99_le_20_ms: { value: restart.discover_selective_ms.p99, ok: restart.discover_selective_ms.p99 <= 20, cpu_p99_ms: restart.discover_selective_ms.cpu_ms.p99 },
    },
  };
}

const SECTIONS: Record<string, () => Promise<unknown>> = { subtree };

async function main() {
  if (opt('phase', '') === 'subtree-restart') {
    const { restartSubtree } = await import('./bench-sync/subtree.js');
    process.stdout.write(`${JSON.stringify(await restartSubtree(opt('dir', ''), num('refs', 1_000_000)))}\n`);
    return;
  }
  const only = opt('only', Object.keys(SECTIONS).join(',')).split(',').filter(Boolean);
  const unknown = only.filter((s) => !SECTIONS[s]);
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  mkdirSync(WORK, { recursive: true });
  const result: Record<string, unknown> = {};
  for (const s of only) result[s] = await SECTIONS[s]!();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

// (exit explicitly: a child or handle left behind must not keep a finished run alive)
main().then(() => process.exit(0), exitOnFailure);

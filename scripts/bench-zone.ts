// Zone store at scale, printed as one JSON object:
//   npx tsx scripts/bench-zone.ts [--agents 1000000] [--http 20000] [--connections 128]
//                                 [--http-runs 3] [--http-warmup 2000] [--http-only]
//                                 [--server-prof DIR]
//                                 [--work DIR] [--reuse] [--keep]
// 1. generate: sign N real agents (Ed25519 compact JWS, records as the publish path builds
//    them) in worker threads, to JSON-lines files (timed on its own; --reuse keeps them);
// 2. load them into one durable zone (fsync on, group commit), snapshot, apply 1% updates;
// 3. in a fresh process: reopen (snapshot + log replay), RSS, p50/p99 of rd=0 resolves and
//    of local discovers;
// 4. HTTP: a real node in one process, a client in another publishing pre-signed JWS
//    over many connections (undici), fsync on; --http-runs clients one after another
//    (median reported), with the server's own CPU per publish; --server-prof writes a
//    V8 CPU profile of the server (node --cpu-prof); --http-only skips steps 1-3.
// Targets: RSS <= 1.5 GB, replay <= 15 s, selective discover p99 <= 20 ms, >= 2,000 publishes/s.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZoneStore } from '../src/store/zone-store.js';
import { generate } from './bench-zone/generate.js';
import { ZONE } from './bench-zone/data.js';
import { runHttp, type Phase } from './bench-zone/http-run.js';
import { forEachLine, memory, seconds } from './bench-zone/stats.js';
import { benchName, exitOnFailure, progress, track, withDeadline } from './bench-common/phase.js';

benchName('bench-zone');

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const flag = (name: string) => argv.includes(`--${name}`);
const AGENTS = Number(opt('agents', '1000000'));
const HTTP = Number(opt('http', '20000'));
const CONNECTIONS = Number(opt('connections', '128'));
const HTTP_RUNS = Number(opt('http-runs', '3'));
const HTTP_WARMUP = Number(opt('http-warmup', '2000'));
const SERVER_PROF = opt('server-prof', '');
const WORK = opt('work', join(tmpdir(), 'steward-bench-zone'));
const log = progress;
/** Deadlines (ms) of the phases; generous, but a stuck phase ends the run naming itself. */
const DEADLINE = { generate: 30 * 60_000, load: 40 * 60_000, restart: 20 * 60_000, http: 30 * 60_000 };

/** Puts every record of `files` with up to `window` puts in flight (they share fsyncs). */
async function putAll(store: ZoneStore, files: string[], window = 8192) {
  const started = performance.now();
  let pending: Promise<unknown>[] = [];
  let n = 0;
  for (const file of files) {
    await forEachLine(file, async (line) => {
      pending.push(store.put(JSON.parse(line)));
      if (pending.length >= window) {
        await Promise.all(pending);
        pending = [];
      }
      if (++n % 100_000 === 0) log(`put ${n}`);
    });
  }
  await Promise.all(pending);
  const s = seconds(started);
  return { count: n, seconds: s, per_s: Math.round(n / s) };
}

/**
 * Runs this script again in a child process for one phase; resolves with its JSON (or,
 * with onLine, once it exits). A child that exits without answering rejects, naming the
 * phase; every child is killed when this process exits, however it ends.
 */
const phase: Phase = (args, { nodeArgs = [], onLine } = {}) => {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...nodeArgs, new URL(import.meta.url).pathname, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    track(child);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) onLine ? onLine(l, child) : resolve(JSON.parse(l));
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && onLine ? resolve(undefined) : reject(new Error(`phase ${args[1]} exited with ${code}${code === 0 ? ' without a result' : ''}`))));
  });
};

/** Step 4 on its own (--http-only): publishes/s over HTTP and the server's CPU per publish. */
function http() {
  log(`HTTP: ${HTTP_RUNS} x ${HTTP} publishes over ${CONNECTIONS} connections`);
  const dir = join(WORK, 'http-node');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const serverNodeArgs = SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${SERVER_PROF}`] : [];
  return withDeadline('http', DEADLINE.http, (status) => runHttp({ phase, dir, count: HTTP, connections: CONNECTIONS, runs: HTTP_RUNS, warmup: HTTP_WARMUP, serverNodeArgs, log, status }));
}

const dirMb = (dir: string) => Math.round(readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1e6);

async function main() {
  const sub = opt('phase', '');
  if (sub === 'restart') {
    const { restart } = await import('./bench-zone/restart.js');
    process.stdout.write(`${JSON.stringify(await restart(opt('dir', ''), AGENTS))}\n`);
    return;
  }
  if (sub === 'server') {
    const { serveBenchZone } = await import('./bench-zone/http-server.js');
    await serveBenchZone(opt('dir', ''));
    return 'keep running'; // (until its stdin closes)
  }
  if (sub === 'client') {
    const { publishOverHttp } = await import('./bench-zone/http-client.js');
    process.stdout.write(`${JSON.stringify(await publishOverHttp(opt('url', ''), HTTP, CONNECTIONS, CONNECTIONS * 4, Number(opt('first', '50000000'))))}\n`);
    return;
  }
  if (flag('http-only')) {
    const result = await http();
    process.stdout.write(`${JSON.stringify({ http: result, target_ge_2000_per_s: result.publishes_per_s >= 2000 }, null, 2)}\n`);
    return;
  }

  mkdirSync(WORK, { recursive: true });
  const storeDir = join(WORK, `zone-${AGENTS}`);
  rmSync(storeDir, { recursive: true, force: true });
  log(`generating ${AGENTS} signed agents in ${WORK}`);
  const gen = await withDeadline('generate', DEADLINE.generate, () => generate(WORK, AGENTS, flag('reuse')));

  log('loading into a durable zone (fsync on)');
  const { loaded, afterLoad, snapshot, updated } = await withDeadline('load', DEADLINE.load, async () => {
    const store = await ZoneStore.open({ zone: ZONE, dir: storeDir });
    const loaded = await putAll(store, gen.files);
    const afterLoad = { ...memory(), ...store.stats };
    const t = performance.now();
    await store.compact();
    const snapshot = { seconds: seconds(t), dir_mb: dirMb(storeDir) };
    const updated = await putAll(store, gen.updates);
    await store.close();
    return { loaded, afterLoad, snapshot, updated };
  });

  log('restarting in a fresh process');
  const restarted = await withDeadline('restart', DEADLINE.restart, () => phase(['--phase', 'restart', '--dir', storeDir, '--agents', String(AGENTS)]));

  const httpResult = HTTP > 0 ? await http() : undefined;

  const r = restarted;
  const rss = Math.max(r.memory_after_open.rss_mb, r.memory_end.rss_mb);
  const result = {
    agents: AGENTS,
    generate: gen,
    load: { ...loaded, ...afterLoad },
    snapshot,
    updates_after_snapshot: updated,
    restart: r,
    http: httpResult ?? { skipped: 'run with --http N (N > 0)' },
    targets: {
      rss_le_1500_mb: { value: rss, ok: rss <= 1500 },
      replay_le_15_s: { value: r.replay.seconds, ok: r.replay.seconds <= 15 },
      discover_selective_p99_le_20_ms: { value: r.discover_selective_ms.p99, ok: r.discover_selective_ms.p99 <= 20 },
      http_publishes_ge_2000_per_s: httpResult ? { value: httpResult.publishes_per_s, ok: httpResult.publishes_per_s >= 2000 } : 'skipped',
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!flag('keep')) rmSync(storeDir, { recursive: true, force: true });
}

// (exit explicitly: a child or handle left behind must not keep a finished run alive)
main().then((keep) => keep || process.exit(0), exitOnFailure);

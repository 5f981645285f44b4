// Phase 1: sign N agents' records with worker threads (one per core) into JSON-lines files.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { seconds } from './stats.js';

// Workers do not inherit tsx's loader: register it in the worker, then load the TypeScript.
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((m) => m.register())
  .then(() => import(${JSON.stringify(new URL('./generate-worker.ts', import.meta.url).href)}));`;

const STALL_MS = 60_000;

export interface Generated { files: string[]; updates: string[]; seconds: number | null; workers: number; reused: boolean; mb: number }

export async function generate(workDir: string, agents: number, reuse: boolean): Promise<Generated> {
  const workers = Math.max(1, Math.min(availableParallelism(), 8));
  const files = Array.from({ length: workers }, (_, w) => join(workDir, `records-${agents}-${w}-of-${workers}.jsonl`));
  const updates = files.map((f) => f.replace('.jsonl', '.updates.jsonl'));
  const marker = join(workDir, `records-${agents}-${workers}.done`);
  const mb = () => Math.round(files.reduce((n, f) => n + statSync(f).size, 0) / 1e6);
  if (reuse && existsSync(marker)) return { files, updates, seconds: null, workers, reused: true, mb: mb() };
  const started = performance.now();
  const per = Math.ceil(agents / workers);
  await Promise.all(files.map((out, w) => new Promise<void>((resolve, reject) => {
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { start: w * per, end: Math.min(agents, (w + 1) * per), out, updates: updates[w] },
    });
    // A worker reports every ~4 MB written; one that goes quiet has hung (seen once, in
    // tsx's loader): stop it and say so rather than wait for ever.
    let done = 0;
    let heard = performance.now();
    const watchdog = setInterval(() => {
      if (performance.now() - heard < STALL_MS) return;
      clearInterval(watchdog);
      void worker.terminate();
      reject(new Error(`generator ${w} made no progress for ${STALL_MS / 1000} s (after ${done} records); run again`));
    }, 5_000);
    const finish = (err?: Error) => {
      clearInterval(watchdog);
      if (err) reject(err);
      else resolve();
    };
    worker.on('message', (m: { done?: number; finished?: boolean }) => {
      heard = performance.now();
      done = m.done ?? done;
      if (m.finished) finish();
    });
    worker.on('error', finish);
    worker.on('exit', (code) => finish(code === 0 ? undefined : new Error(`generator ${w} exited with ${code}`)));
  })));
  writeFileSync(marker, new Date().toISOString());
  return { files, updates, seconds: seconds(started), workers, reused: false, mb: mb() };
}

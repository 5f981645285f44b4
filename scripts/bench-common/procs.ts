// Child processes of a benchmark: a TypeScript script run to completion (its last stdout
// line is JSON), or a server started and waited for (a line on stdout). Both are bounded:
// a child past its deadline is killed and the error names it. All are killed at exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from './phase.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `node --import tsx file arg` to the end; resolves with its last stdout line parsed as JSON. */
export function runTs<T>(what: string, file: string, arg: unknown, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify(arg)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killed) return reject(new Error(`${what}: killed after ${Math.round(timeoutMs / 1000)} s without finishing: ${err.trim().slice(-500)}`));
      if (code !== 0) return reject(new Error(`${what} exited with ${code}: ${err.trim().slice(-1000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
      } catch {
        reject(new Error(`${what} printed no JSON: ${out.slice(-300)}`));
      }
    });
  });
}

export interface Server {
  child: ChildProcess;
  line: string;
  stop(): Promise<void>;
}

/** Starts `node --import tsx file arg` and waits (at most `timeoutMs`) for its first stdout line matching `ready`. */
export function startTs(what: string, file: string, arg: unknown, ready: RegExp, timeoutMs: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify(arg)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    let out = '';
    let err = '';
    const stop = () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null || child.signalCode) return r();
        const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
        child.once('exit', () => (clearTimeout(t), r()));
        child.kill('SIGTERM');
      });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: not ready within ${Math.round(timeoutMs / 1000)} s: ${err.trim().slice(-500)}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => ready.test(l));
      if (line) {
        clearTimeout(timer);
        resolve({ child, line, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready: ${err.trim().slice(-500)}`));
    });
  });
}

// Runs the real `steward-registry` program as a child process: one-shot commands
// (keygen, register, invite, revoke) to completion, and `serve` until it prints its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type CliResult } from './helpers.js';

const BIN = join(ROOT, 'bin/steward-registry.js');

function cleanEnv(extra: Record<string, string | undefined> = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, STEWARD_REGISTRY: undefined, STEWARD_DATA_DIR: undefined, STEWARD_CERTS_DIR: undefined, LOG_LEVEL: 'warn', ...extra })) {
    if (v !== undefined) env[k] = v;
  }
  return env;
}

export function stewardRegistry(args: string[], opts: { env?: Record<string, string | undefined>; killAfterMs?: number } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export interface Served {
  child: ChildProcess;
  zone: string;
  url: string;
  /** Everything printed before the "<zone>  <url>" line. */
  stdout: string;
  stop(): Promise<number | null>;
}

/** Starts `steward-registry serve …` and waits for "<zone>  <url>"; rejects with its output if it exits first. */
export function serveProcess(args: string[], opts: { timeoutMs?: number } = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    const fail = (why: string) => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail('serve did not print its URL in time'), opts.timeoutMs ?? 60_000);
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /^(\S+) {2}(https?:\/\/\S+)$/m.exec(stdout);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({
          child, zone: m[1]!, url: m[2]!, stdout,
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => fail(`serve exited with ${code}`));
  });
}

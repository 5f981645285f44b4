// Runs the real `steward` program as a child process, the way a user or a script would,
// and captures what it printed and how it exited.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/steward.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function steward(args: string[], opts: { env?: Record<string, string | undefined>; killAfterMs?: number } = {}): Promise<CliResult> {
  // A clean environment: a STEWARD_REGISTRY in the developer's shell must not leak in.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, STEWARD_REGISTRY: undefined, ...opts.env })) {
    if (v !== undefined) env[k] = v;
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A plain HTTP server on 127.0.0.1:0 with a canned behaviour, for client-side cases. */
export async function fixtureServer(handler: Handler): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A port that was just free: bound, then closed, so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * The same program in this process (run() is everything main.ts does except set
 * process.exitCode). Used for long tables of cases, where a child process per case
 * would cost most of a second each on a busy machine; child-process tests cover the
 * real binary, its streams and exit status.
 */
export async function stewardInProcess(args: string[]): Promise<CliResult> {
  const { run } = await import('../../src/cli/steward/run.js');
  let stdout = '';
  let stderr = '';
  const started = Date.now();
  const code = await run(args, { out: (l = '') => void (stdout += `${l}\n`), err: (l = '') => void (stderr += `${l}\n`) });
  return { code, stdout, stderr, ms: Date.now() - started };
}

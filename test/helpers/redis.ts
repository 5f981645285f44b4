// A real redis-server for tests: on 127.0.0.1, a free port, no persistence. Can be
// killed and started again on the same port (to test a Redis outage), or paused with
// SIGSTOP (to test a Redis that is up but does not answer).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';

const BIN = process.env.REDIS_SERVER_BIN || '/usr/bin/redis-server';

export interface TestRedis {
  url: string;
  port: number;
  /** SIGKILL: as if the server crashed. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after kill). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: up but not answering. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export function redisAvailable(): boolean {
  return existsSync(BIN);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw socket; true on +PONG within the timeout. */
export function ping(port: number, timeoutMs = 200): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startRedis(): Promise<TestRedis> {
  if (!redisAvailable()) throw new Error(`${BIN} not found: install redis-server`);
  const port = await freePort();
  let proc: ChildProcess | undefined;

  const spawnIt = async () => {
    const p = spawn(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr?.on('data', (d) => (stderr += d));
    proc = p;
    const exited = new Promise<boolean>((r) => p.once('exit', () => r(false)));
    await Promise.race([
      waitFor(() => ping(port), `redis-server on port ${port}`),
      exited.then(() => {
        throw new Error(`redis-server exited at start: ${stderr}`);
      }),
    ]);
  };

  const killIt = async (signal: NodeJS.Signals) => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGCONT'); // a paused server cannot act on SIGTERM
    p.kill(signal);
    await gone;
  };

  await spawnIt();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => killIt('SIGKILL'),
    restart: spawnIt,
    pause: () => proc?.kill('SIGSTOP'),
    resume: () => proc?.kill('SIGCONT'),
    stop: () => killIt('SIGTERM'),
  };
}

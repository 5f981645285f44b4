// Real Redis deployments for tests, started from redis-server as an operator would:
//  - startRedisCluster(): three masters with `cluster-enabled yes` on free ports (and free
//    bus ports), joined by `redis-cli --cluster create ... --cluster-yes`;
//  - startRedisSentinel(): a master, a replica and one sentinel watching them, so a
//    failover can be forced with SENTINEL FAILOVER.
// Everything lives in a temporary directory removed by stop().
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, ping, waitFor } from './redis.js';

const BIN = process.env.REDIS_SERVER_BIN || '/usr/bin/redis-server';
const CLI = process.env.REDIS_CLI_BIN || '/usr/bin/redis-cli';
const run = promisify(execFile);

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 20_000 });
  return stdout;
}

interface Procs {
  dir: string;
  procs: ChildProcess[];
}

function server(p: Procs, args: string[]): ChildProcess {
  const child = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: p.dir });
  child.stderr?.resume();
  p.procs.push(child);
  return child;
}

async function stopAll(p: Procs) {
  await Promise.all(
    p.procs.map((c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      return gone;
    }),
  );
  rmSync(p.dir, { recursive: true, force: true });
}

const base = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];

export interface TestCluster {
  ports: number[];
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2 (two seeds: the client learns the third). */
  url: string;
  /** Keys held by each master (DBSIZE), in port order. */
  keysPerNode(): Promise<number[]>;
  /** SIGKILL the i-th master (its slots are then unserved: no replicas). */
  killMaster(i: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<TestCluster> {
  const p: Procs = { dir: mkdtempSync(join(tmpdir(), 'steward-cluster-')), procs: [] };
  try {
    const ports: number[] = [];
    while (ports.length < masters * 2) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const data = ports.slice(0, masters);
    const bus = ports.slice(masters);
    data.forEach((port, i) =>
      server(p, [...base(port), '--cluster-enabled', 'yes', '--cluster-port', String(bus[i]), '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '3000']),
    );
    await Promise.all(data.map((port) => waitFor(() => ping(port), `cluster node ${port}`, 20_000)));
    await run(CLI, ['--cluster', 'create', ...data.map((port) => `127.0.0.1:${port}`), '--cluster-yes'], { timeout: 60_000 });
    const ok = async () => (await Promise.all(data.map((port) => redisCli(port, 'cluster', 'info')))).every((s) => s.includes('cluster_state:ok'));
    await waitFor(() => ok().catch(() => false), 'cluster_state:ok on every node', 30_000);
    return {
      ports: data,
      url: `redis+cluster://127.0.0.1:${data[0]},127.0.0.1:${data[1]}`,
      keysPerNode: async () => Promise.all(data.map(async (port) => Number((await redisCli(port, 'dbsize')).trim()))),
      async killMaster(i) {
        const c = p.procs[i]!;
        if (c.exitCode !== null || c.signalCode !== null) return;
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await gone;
      },
      stop: () => stopAll(p),
    };
  } catch (err) {
    await stopAll(p);
    throw err;
  }
}

export interface TestSentinel {
  /** redis+sentinel://127.0.0.1:<sentinel>/mymaster */
  url: string;
  sentinelPort: number;
  /** The port of the server the sentinel now calls master. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER, then waits until the sentinel names the other server. */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

export async function startRedisSentinel(): Promise<TestSentinel> {
  const p: Procs = { dir: mkdtempSync(join(tmpdir(), 'steward-sentinel-')), procs: [] };
  try {
    const [master, replica, sentinel] = [await freePort(), await freePort(), await freePort()];
    server(p, base(master!));
    server(p, [...base(replica!), '--replicaof', '127.0.0.1', String(master)]);
    await Promise.all([master!, replica!].map((port) => waitFor(() => ping(port), `redis ${port}`, 20_000)));
    const conf = join(p.dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${sentinel}`,
        'bind 127.0.0.1',
        `dir ${p.dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${master} 1`,
        'sentinel down-after-milliseconds mymaster 2000',
        'sentinel failover-timeout mymaster 10000',
        '',
      ].join('\n'),
    );
    server(p, [conf, '--sentinel']);
    await waitFor(() => ping(sentinel!), `sentinel ${sentinel}`, 20_000);
    const masterPort = async () => Number((await redisCli(sentinel!, 'sentinel', 'get-master-addr-by-name', 'mymaster')).trim().split('\n')[1]);
    // The sentinel must have seen the replica before it can fail over to it.
    const replicaSeen = async () => (await redisCli(sentinel!, 'sentinel', 'replicas', 'mymaster')).includes(String(replica));
    await waitFor(() => replicaSeen().catch(() => false), 'sentinel to discover the replica', 30_000);
    return {
      url: `redis+sentinel://127.0.0.1:${sentinel}/mymaster`,
      sentinelPort: sentinel!,
      masterPort,
      async failover() {
        const before = await masterPort();
        await redisCli(sentinel!, 'sentinel', 'failover', 'mymaster');
        let now = before;
        await waitFor(async () => (now = await masterPort().catch(() => before)) !== before, 'sentinel failover', 30_000);
        return now;
      },
      stop: () => stopAll(p),
    };
  } catch (err) {
    await stopAll(p);
    throw err;
  }
}

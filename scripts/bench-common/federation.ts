// The demo federation as a user runs it: one `steward-registry serve` process per zone
// file (what `npm start` serves, but each node in its own process, as a deployment would),
// on free loopback ports, data in memory, the demo certificates made into a temp dir.
// The zone files are copied to a temp dir with every URL rewritten to the free ports and
// the zone policy adjusted by the caller (e.g. the per-client read limit raised, since a
// benchmark's load comes from one address). Server CPU is read from /proc per process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track, withDeadline } from './phase.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(REPO, 'src/cli/registry/main.ts');

export interface ProcNode {
  zone: string;
  url: string;
  pid: number;
  /** Its zone file (the rewritten copy). */
  file: string;
  child: ChildProcess;
}

export interface ProcFederation {
  nodes: ProcNode[];
  root: string;
  certsDir: string;
  byZone(zone: string): ProcNode;
  /** CPU seconds (user + system) each server process has used so far, by zone. */
  cpuSeconds(): Record<string, number>;
  close(): Promise<void>;
}

type Json = Record<string, any>;

export interface ProcFederationOptions {
  /** Changes each zone's `policy` (the zone file's JSON) before it is written. */
  policy?: (policy: Json, zone: string) => Json;
  /** Whole start-up (certificates made on first start: a few seconds; eight tsx start-ups on a loaded 2-core machine took 144 s to over 180 s). */
  deadlineMs?: number;
  log?: (msg: string) => void;
  /** Node flags for the serve processes (e.g. `--cpu-prof --cpu-prof-dir D`): for every one, or per zone. */
  nodeArgs?: string[] | ((zone: string) => string[]);
  /** A serve process's output after its banner (else drained unread). */
  onOutput?: (zone: string, chunk: Buffer) => void;
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

/** CPU seconds of a process from /proc (Linux), or NaN elsewhere. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

const norm = (u: string) => u.replace(/\/$/, '');

export async function startProcFederation(o: ProcFederationOptions = {}): Promise<ProcFederation> {
  const log = o.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'steward-bench-fed-'));
  const zonesDir = join(dir, 'zones');
  const certsDir = join(dir, 'certs');
  const src = join(REPO, 'zones');
  const files = readdirSync(src).filter((f) => f.endsWith('.json')).sort();
  const zones = files.map((f) => JSON.parse(readFileSync(join(src, f), 'utf8')) as Json);
  const nodeArgsFor = (f: string) => (typeof o.nodeArgs === 'function' ? o.nodeArgs(String(zones[files.indexOf(f)]!.zone)) : (o.nodeArgs ?? []));
  const ports = await Promise.all(zones.map(() => freePort()));
  const rewrite = new Map(zones.map((z, i) => [`http://${z.listen.host ?? '127.0.0.1'}:${z.listen.port}`, `http://127.0.0.1:${ports[i]}`]));
  const fix = (e: Json) => ({ ...e, url: rewrite.get(norm(e.url)) ?? e.url });
  mkdirSync(zonesDir);
  // Zones the demo joins by the register flow (`"join": "register"`, done by `federation
  // up` in one process) are delegated in their parent's file here instead: each serve
  // process starts on its own, and the tree it serves is the same.
  zones.forEach((z, i) => {
    if (z.join !== 'register') return;
    const parent = zones.find((p) => p.zone === z.parent?.zone);
    if (!parent) throw new Error(`${z.zone} joins ${z.parent?.zone}, which is not in zones/`);
    parent.delegations = [...(parent.delegations ?? []), { zone: z.zone, endpoints: [{ url: `http://${z.listen.host ?? '127.0.0.1'}:${z.listen.port}`, region: z.region }] }];
    delete z.join;
    void i;
  });
  zones.forEach((z, i) => {
    const out: Json = { ...z, listen: { host: '127.0.0.1', port: ports[i] } };
    if (z.parent) out.parent = { ...fix(z.parent), ...(z.parent.endpoints ? { endpoints: z.parent.endpoints.map(fix) } : {}) };
    if (z.replicas) out.replicas = z.replicas.map(fix);
    if (z.delegations) out.delegations = z.delegations.map((d: Json) => ({ ...d, endpoints: d.endpoints.map(fix) }));
    out.policy = o.policy ? o.policy({ ...(z.policy ?? {}) }, z.zone) : z.policy;
    writeFileSync(join(zonesDir, files[i]!), JSON.stringify(out, null, 2));
  });
  const root = zones.find((z) => !z.parent)!.zone as string;
  const nodes: ProcNode[] = [];
  const children: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode) return resolve();
            const t = setTimeout(() => c.kill('SIGKILL'), 3_000);
            c.once('exit', () => (clearTimeout(t), resolve()));
            c.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await withDeadline('federation start-up', o.deadlineMs ?? 300_000, () =>
      Promise.all(
        files.map(
          (f, i) =>
            new Promise<void>((resolve, reject) => {
              const child = spawn(process.execPath, [...nodeArgsFor(f), '--import', 'tsx', MAIN, 'serve', '--zone', join(zonesDir, f), '--memory', '--certs-dir', certsDir], {
                cwd: REPO,
                stdio: ['ignore', 'pipe', 'pipe'],
                env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
              });
              children.push(child);
              track(child);
              let out = '';
              let err = '';
              child.stderr!.on('data', (d) => (err = (err + d).slice(-2000)));
              const onOut = (d: Buffer) => {
                out += d;
                const m = new RegExp(`^(\\S+)\\s+(http://\\S+)`, 'm').exec(out);
                if (m && m[1] === zones[i]!.zone) {
                  // (later output is drained unread: the banner was all that was wanted)
                  child.stdout!.off('data', onOut);
                  child.stdout!.resume();
                  if (o.onOutput) child.stdout!.on('data', (x: Buffer) => o.onOutput!(zones[i]!.zone as string, x));
                  nodes.push({ zone: m[1]!, url: m[2]!, pid: child.pid!, file: join(zonesDir, f), child });
                  log(`${m[1]} up at ${m[2]} (pid ${child.pid})`);
                  resolve();
                }
              };
              child.stdout!.on('data', onOut);
              child.once('exit', (code, sig) => reject(new Error(`serve ${f} exited (${code ?? sig}) before listening: ${err.trim()}`)));
            }),
        ),
      ),
    );
  } catch (e) {
    await close();
    throw e;
  }
  return {
    nodes,
    root,
    certsDir,
    byZone(zone) {
      const n = nodes.find((x) => x.zone === zone);
      if (!n) throw new Error(`no node for zone ${zone}`);
      return n;
    },
    cpuSeconds: () => Object.fromEntries(nodes.map((n) => [n.zone, procCpuSeconds(n.pid)])),
    close,
  };
}

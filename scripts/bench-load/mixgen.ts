// bench-load's generator, a process of its own: an open loop at `rate` q/s for `seconds`
// (after `warmupSeconds` of the same mix at that rate, not counted: its never-seen names
// are the first of each pool, so the measured ones are still never seen) of a mix of request
// kinds, each with its own paths and expected status. Latency counts from the intended
// send time (as loadgen.ts: a server stall shows, coordinated omission does not hide it);
// the generator's own tick lag is reported so its stalls are told apart from the server's.
//   node --import tsx mixgen.ts <spec.json file>     → one JSON line
import { readFileSync } from 'node:fs';
import { NumberFifo } from '../bench-common/fifo.js';
import { Conn } from '../bench-resolve/loadgen.js';
import { percentiles } from '../bench-resolve/stats.js';

export interface MixKind {
  kind: string;
  /** Share of requests (the shares need not sum to 1: they are normalised). */
  share: number;
  /** Request targets, used in turn (wrapping around); "never-seen" kinds give one per request. */
  paths: string[];
  expectStatus: number;
}

export interface MixSpec {
  url: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  kinds: MixKind[];
}

async function run(spec: MixSpec) {
  const u = new URL(spec.url);
  const port = Number(u.port || 80);
  const reqs = spec.kinds.map((k) => k.paths.map((p) => Buffer.from(`GET ${p} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`)));
  const next = spec.kinds.map(() => 0);
  // A fixed schedule of kinds in blocks of 1,000 (shares to the permille), shuffled once.
  const total = spec.kinds.reduce((n, k) => n + k.share, 0);
  const schedule: number[] = [];
  spec.kinds.forEach((k, i) => {
    for (let j = 0; j < Math.round((1000 * k.share) / total); j++) schedule.push(i);
  });
  for (let i = schedule.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [schedule[i], schedule[j]] = [schedule[j]!, schedule[i]!];
  }
  const per = spec.kinds.map(() => ({ lat: [] as number[], statuses: {} as Record<string, number>, errors: 0, sent: 0 }));
  const conns = Array.from({ length: spec.connections }, () => new Conn(u.hostname, port, reqs[0]![0]!));
  await Promise.all(conns.map((c) => c.ready));
  // Every connection answers one warm request first: one left unused past the server's
  // headers timeout would be closed by it (LIFO reuse leaves most of the pool idle).
  await Promise.all(conns.map((c) => new Promise<void>((resolve) => {
    c.onDone = () => resolve();
    c.onFail = () => resolve();
    c.send(reqs[0]![0]!);
  })));
  const free: Conn[] = conns.filter((c) => !c.dead);
  const take = () => {
    for (let c = free.pop(); c; c = free.pop()) if (!c.dead) return c;
    return undefined;
  };
  // The backlog (intended send time and kind, in lockstep): FIFOs, not arrays (see fifo.ts).
  const queue = { intended: new NumberFifo(), kind: new NumberFifo(), get length() { return this.intended.length; } };
  const meta = new Map<Conn, { intended: number; kind: number }>();
  // Per second of intended send time: every measured latency, for the timeline.
  const bySecond: number[][] = [];
  let t0 = 0;
  let counting = false;
  let inFlight = 0;
  let failed = 0;
  const dispatch = (c: Conn, intended: number, kind: number) => {
    meta.set(c, { intended, kind });
    const list = reqs[kind]!;
    const i = next[kind]!++;
    inFlight++;
    c.send(list[i % list.length]);
  };
  for (const c of conns) {
    c.onDone = (status) => {
      inFlight--;
      const m = meta.get(c)!;
      if (counting || m.intended >= 0) {
        const k = per[m.kind]!;
        if (m.intended >= 0) {
          const ms = performance.now() - m.intended;
          k.lat.push(ms);
          (bySecond[Math.floor((m.intended - t0) / 1000)] ??= []).push(ms);
          k.statuses[status] = (k.statuses[status] ?? 0) + 1;
          if (status !== spec.kinds[m.kind]!.expectStatus) k.errors++;
        }
      }
      const intended = queue.intended.shift();
      if (intended !== undefined) dispatch(c, intended, queue.kind.shift()!);
      else free.push(c);
    };
    c.onFail = () => {
      inFlight--;
      failed++;
      const m = meta.get(c);
      if (m && m.intended >= 0) per[m.kind]!.errors++;
    };
  }
  const lags: number[] = [];
  const phase = (ms: number, warm: boolean) =>
    new Promise<void>((resolve) => {
      const n = Math.floor((spec.rate * ms) / 1000);
      const started = performance.now();
      let issued = 0;
      let last = started;
      const tick = () => {
        const now = performance.now();
        if (!warm) lags.push(now - last - 1);
        last = now;
        const due = Math.min(n, Math.floor(((now - started) * spec.rate) / 1000));
        for (; issued < due; issued++) {
          // (warm-up requests are marked with intended -1: not counted)
          const kind = schedule[issued % schedule.length]!;
          const intended = warm ? -1 : started + (issued * 1000) / spec.rate;
          if (!warm) per[kind]!.sent++;
          const c = take();
          if (c) dispatch(c, intended, kind);
          else {
            queue.intended.push(intended);
            queue.kind.push(kind);
          }
        }
        if (issued >= n && ((queue.length === 0 && inFlight === 0) || now - started > ms + 5_000)) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
  if (spec.warmupSeconds > 0) await phase(spec.warmupSeconds * 1000, true);
  counting = true;
  const cpu = process.cpuUsage();
  t0 = performance.now();
  await phase(spec.seconds * 1000, false);
  const elapsed = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  for (const c of conns) c.close();
  const kinds: Record<string, unknown> = {};
  spec.kinds.forEach((k, i) => {
    const p = per[i]!;
    kinds[k.kind] = { sent: p.sent, answered: p.lat.length, unanswered: p.sent - p.lat.length, errors: p.errors, statuses: p.statuses, latency_ms: percentiles(p.lat) };
  });
  return {
    rate: spec.rate,
    seconds: Number(elapsed.toFixed(2)),
    achieved_rps: Math.round(per.reduce((n, p) => n + p.lat.length, 0) / elapsed),
    kinds,
    socket_failures: failed,
    generator_tick_lag_ms: percentiles(lags),
    // [second, answers, p50, p99, max] by intended send second: a stall shows as the
    // seconds it spans, not only in the run's p99.
    timeline: bySecond.map((xs, s) => {
      const p = percentiles(xs);
      return [s, xs.length, p.p50, p.p99, p.max];
    }),
    generator_cpu_pct: Math.round((used.user + used.system) / 1e4 / elapsed),
  };
}

run(JSON.parse(readFileSync(JSON.parse(process.argv[2]!) as string, "utf8")) as MixSpec).then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);

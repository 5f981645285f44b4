// HTTP/1.1 load generator, run as its own process so it gets its own core:
//   node --import tsx loadgen.ts '{"url":"http://127.0.0.1:1234/x","mode":"open","rate":10000,"seconds":30}'
// Prints one JSON line (LoadResult). Raw keep-alive sockets and a minimal response parser
// (status line + content-length) instead of undici: the generator must cost far less CPU
// than the server it measures, or both sides of a comparison end up limited by it.
//
// closed: `connections` sockets, each sends its next request when the previous answer is in.
// open:   requests are due at a constant rate whatever the server does (wrk2's model); a
//         due request takes a free socket of a fixed pool, else waits in a queue (opening
//         more sockets during a stall would only add accept() work to the stall). Latency
//         counts from the INTENDED send time, so a server stall shows up in the percentiles
//         instead of silently slowing the generator down (coordinated omission). `service`
//         is the time from the actual write, for contrast.
import { connect, type Socket } from 'node:net';
import { NumberFifo } from '../bench-common/fifo.js';
import { percentiles, type Percentiles } from './stats.js';

export interface LoadSpec {
  url: string;
  mode: 'closed' | 'open';
  seconds: number;
  /** Keep-alive sockets, all opened before the clock starts. */
  connections?: number;
  /** open only: requests per second. */
  rate?: number;
  /**
   * open only: seconds at the same rate over the same sockets before the measured period,
   * not counted (the generator's JIT and the sockets' first requests are not the server's
   * steady state). Everything sent in it is answered before the clock starts.
   */
  warmupSeconds?: number;
  /** Status that counts as success (default 200). */
  expectStatus?: number;
}

export interface LoadResult {
  mode: 'closed' | 'open';
  seconds: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  rps: number;
  latency_ms: Percentiles;
  service_ms?: Percentiles;
  target_rate?: number;
  /** open: requests that were due but never sent or answered before the end. */
  unsent?: number;
  connections_used: number;
  /** open: how late the generator's 1 ms ticks ran — its own stalls (descheduled, GC) count as latency. */
  generator_tick_lag_ms?: Percentiles;
  /** CPU the generator itself used, in % of one core: far below 100 or the figures are its own. */
  generator_cpu_pct?: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** One keep-alive socket with at most one request in flight (bench-load's generator uses it too). */
export class Conn {
  private buf: Buffer | undefined;
  private need = -1;
  private status = 0;
  busy = false;
  /** Closed, failed, or sent something unasked (a server's idle-connection timeout answer): never reused. */
  dead = false;
  /** open loop: when the request in flight was due, and when it was written. */
  intended = 0;
  sentAt = 0;
  ready: Promise<void>;
  onDone: (status: number) => void = () => {};
  onFail: (err: Error) => void = () => {};
  private sock: Socket;

  constructor(private host: string, private port: number, private req: Buffer) {
    this.sock = connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.sock.once('connect', resolve);
      this.sock.once('error', reject);
    });
    this.sock.on('data', (d) => this.data(d));
    this.sock.on('error', (e) => this.fail(e));
    this.sock.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Sends this connection's request, or `req` when given. */
  send(req: Buffer = this.req) {
    this.busy = true;
    this.buf = undefined;
    this.need = -1;
    this.sock.write(req);
  }

  private fail(err: Error) {
    this.dead = true;
    if (this.busy) {
      this.busy = false;
      this.onFail(err);
    }
  }

  private data(d: Buffer) {
    if (!this.busy) {
      // (nothing was asked: the server is closing an idle connection, e.g. a 408)
      this.dead = true;
      this.sock.destroy();
      return;
    }
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    if (this.need < 0) {
      const end = this.buf.indexOf(CRLFCRLF);
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      this.status = Number(head.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!m) {
        this.sock.destroy();
        return this.fail(new Error('response without content-length'));
      }
      this.need = end + 4 + Number(m[1]);
    }
    if (this.buf.length < this.need) return;
    if (this.buf.length > this.need) return this.fail(new Error('unexpected bytes after the response'));
    this.busy = false;
    this.onDone(this.status);
  }

  close() {
    this.sock.destroy();
  }
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const u = new URL(spec.url);
  const req = Buffer.from(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`);
  const port = Number(u.port || 80);
  const expect = spec.expectStatus ?? 200;
  const ms = spec.seconds * 1000;
  const lat = new Float64Array(Math.max(1024, Math.ceil((spec.rate ?? 200_000) * spec.seconds * 1.2)));
  const svc = spec.mode === 'open' ? new Float64Array(lat.length) : undefined;
  const statuses: Record<string, number> = {};
  let done = 0;
  let errors = 0;
  const conns: Conn[] = [];
  let counting = true; // false during an open-loop warm-up
  let phaseDone = 0;
  const record = (status: number, intended: number, sent: number) => {
    phaseDone++;
    if (!counting) return;
    const t = performance.now();
    if (done < lat.length) {
      lat[done] = t - intended;
      if (svc) svc[done] = t - sent;
    }
    done++;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status !== expect) errors++;
  };
  const open = async (n: number) => {
    const fresh = Array.from({ length: n }, () => new Conn(u.hostname, port, req));
    conns.push(...fresh);
    await Promise.all(fresh.map((c) => c.ready));
    return fresh;
  };

  let started = 0;
  const lags: number[] = [];
  const LAGS_MAX = 1_000_000;
  const cpu = process.cpuUsage();
  if (spec.mode === 'closed') {
    const pool = await open(spec.connections ?? 32);
    started = performance.now();
    const until = started + ms;
    await new Promise<void>((resolve) => {
      let live = pool.length;
      const finish = () => --live === 0 && resolve();
      for (const c of pool) {
        let sentAt = 0;
        const next = () => {
          if (performance.now() >= until) return finish();
          sentAt = performance.now();
          c.send();
        };
        c.onDone = (status) => (record(status, sentAt, sentAt), next());
        c.onFail = () => (errors++, finish());
        next();
      }
    });
  } else {
    const rate = spec.rate ?? 10_000;
    const total = Math.floor((rate * ms) / 1000);
    const free: Conn[] = await open(spec.connections ?? 64);
    const queue = new NumberFifo(); // intended send times waiting for a socket
    const take = () => {
      for (let c = free.pop(); c; c = free.pop()) if (!c.dead) return c;
      return undefined;
    };
    // Every socket answers one request first: a socket left unused past the server's
    // headers timeout would be closed by it (LIFO reuse leaves most of the pool idle).
    await Promise.all(free.map((c) => new Promise<void>((resolve) => {
      c.onDone = () => resolve();
      c.onFail = () => resolve();
      c.send();
    })));
    // One completion handler per socket, set once: the generator allocates nothing per
    // request, so its own garbage collection does not show up as server latency.
    const dispatch = (c: Conn, intended: number) => {
      c.intended = intended;
      c.sentAt = performance.now();
      c.send();
    };
    for (const c of free) {
      c.onDone = (status) => {
        record(status, c.intended, c.sentAt);
        const q = queue.shift();
        if (q !== undefined) dispatch(c, q);
        else free.push(c);
      };
      c.onFail = () => errors++; // a dead socket is not reused
    }
    const phase = (phaseMs: number) => {
      const total = Math.floor((rate * phaseMs) / 1000);
      let issued = 0;
      phaseDone = 0;
      const phaseErrors = errors;
      started = performance.now();
      let lastTick = started;
      return new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          // How late this tick ran (it asked for 1 ms): time the generator itself was not
          // running, which counts as latency of the requests due meanwhile.
          if (counting && lags.length < LAGS_MAX) lags.push(now - lastTick - 1);
          lastTick = now;
          const due = Math.min(total, Math.floor(((now - started) * rate) / 1000));
          for (; issued < due; issued++) {
            const intended = started + (issued * 1000) / rate;
            const c = take();
            if (c) dispatch(c, intended);
            else queue.push(intended);
          }
          // Ends when everything due is answered, or 2 s after the last send at the latest.
          if (issued >= total && (phaseDone + errors - phaseErrors >= total || now - started > phaseMs + 2_000)) resolve();
          else setTimeout(tick, 1);
        };
        tick();
      });
    };
    if (spec.warmupSeconds) {
      counting = false;
      await phase(spec.warmupSeconds * 1000);
      counting = true;
      errors = 0;
    }
    await phase(ms);
  }
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  for (const c of conns) c.close();
  const n = Math.min(done, lat.length);
  const total = spec.mode === 'open' ? Math.floor(((spec.rate ?? 10_000) * ms) / 1000) : undefined;
  return {
    mode: spec.mode,
    seconds: Number(elapsed.toFixed(2)),
    requests: done,
    errors,
    statuses,
    rps: Math.round(done / elapsed),
    latency_ms: percentiles(lat.subarray(0, n)),
    ...(svc ? { service_ms: percentiles(svc.subarray(0, n)) } : {}),
    ...(lags.length ? { generator_tick_lag_ms: percentiles(lags) } : {}),
    ...(total !== undefined ? { target_rate: spec.rate ?? 10_000, unsent: Math.max(0, total - done - errors) } : {}),
    connections_used: conns.length,
    generator_cpu_pct: Math.round((used.user + used.system) / 1e4 / elapsed),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  runLoad(JSON.parse(process.argv[2] ?? '{}') as LoadSpec).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err) => {
      process.stderr.write(`${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}

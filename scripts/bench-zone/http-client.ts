// HTTP phase, client process: pre-signs `count` manifests (not timed), then publishes them
// with POST /v1/agents over many keep-alive connections (undici Pool) and reports the rate
// and what the client itself spent in CPU (it shares the machine's cores with the server).
// `first` numbers the agents, so repeated runs against one server publish new names.
import { Pool } from 'undici';
import { AGENTS_PER_PUBLISHER, manifestFor, newPublisher, signJws, type BenchPublisher } from './data.js';
import { quantiles, seconds } from './stats.js';

export async function publishOverHttp(url: string, count: number, connections: number, inFlight: number, first = 50_000_000) {
  const signStarted = performance.now();
  const bodies: string[] = [];
  let pub: BenchPublisher | undefined;
  for (let i = 0; i < count; i++) {
    if (i % AGENTS_PER_PUBLISHER === 0) pub = newPublisher();
    bodies.push(signJws(manifestFor(first + i), pub!)); // names disjoint from the store phase
  }
  const signSeconds = seconds(signStarted);

  const pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  let firstError: string | undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  async function lane() {
    while (next < count) {
      const body = bodies[next++]!;
      const t = performance.now();
      try {
        const res = await pool.request({ method: 'POST', path: '/v1/agents', headers: { 'content-type': 'application/jose' }, body });
        const text = await res.body.text();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode !== 201) firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
      } catch (err) {
        statuses.set(0, (statuses.get(0) ?? 0) + 1);
        firstError ??= String((err as Error).message);
      }
      latencies.push(performance.now() - t);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  const elapsed = seconds(started);
  const used = process.cpuUsage(cpu);
  await pool.close();
  const created = statuses.get(201) ?? 0;
  return {
    publishes: count,
    created,
    seconds: elapsed,
    publishes_per_s: Math.round(created / elapsed),
    latency_ms: quantiles(latencies, 1, 2),
    statuses: Object.fromEntries(statuses),
    first_error: firstError,
    connections,
    in_flight: inFlight,
    presign_seconds: signSeconds,
    client_cpu_us_per_publish: Math.round((used.user + used.system) / Math.max(1, count)),
  };
}

// HTTP phase, server process: a real node (src/node) for the bench zone, durable, fsync on.
// Prints {"url"} once listening. Then reads commands on stdin, one a line, and answers
// each with one JSON line: "mark" starts a measurement, "stats" reports this process's
// CPU and event-loop use since the mark (what a publish costs the server alone, apart
// from the client's share of the same cores). Exits when its stdin closes.
import { createInterface } from 'node:readline';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { startNode } from '../../src/node/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { NAMESPACE, ROOT, ZONE } from './data.js';

export interface ServerStats {
  cpu_user_ms: number;
  cpu_system_ms: number;
  /** Share of wall time the main thread was busy (1 = saturated). */
  event_loop_utilization: number;
  /** Time in garbage-collection pauses (main thread). */
  gc_ms: number;
  serial: number;
}

export async function serveBenchZone(dataDir: string): Promise<void> {
  const config = parseZoneFile({
    zone: ZONE,
    parent: { zone: ROOT, url: 'http://127.0.0.1:9' },
    listen: { host: '127.0.0.1', port: 0 },
    region: 'eu-west',
    // One client publishes tens of thousands of names with a few keys: the zone's
    // per-client and per-key limits (src/quota) would refuse nearly all of it with 429.
    policy: { limits: { publish_per_key: false, publish_per_client: false, names_per_key: false, reads_per_client: false } },
  }, `bench zone ${NAMESPACE}`);
  const node = await startNode({ config, port: 0, dataDir, fsync: true, seed: false });
  process.stdout.write(`${JSON.stringify({ url: node.url })}\n`);
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  }).observe({ entryTypes: ['gc'] });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (cmd) => {
    if (cmd === 'mark') {
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      gcMs = 0;
      process.stdout.write('{}\n');
    } else if (cmd === 'stats') {
      const c = process.cpuUsage(cpu);
      const stats: ServerStats = {
        cpu_user_ms: Math.round(c.user / 1000),
        cpu_system_ms: Math.round(c.system / 1000),
        event_loop_utilization: Number(performance.eventLoopUtilization(elu).utilization.toFixed(3)),
        gc_ms: Math.round(gcMs),
        serial: node.ctx.store.serial,
      };
      process.stdout.write(`${JSON.stringify(stats)}\n`);
    }
  });
  lines.on('close', () => void node.close().then(() => process.exit(0)));
}

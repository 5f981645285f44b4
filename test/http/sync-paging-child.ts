// Child of sync-paging.test.ts: a node whose zone holds argv[2] agents (every tenth
// internal), with demo identity material from the certs directory argv[3], in its own process so the test's client does not share its event loop.
// Prints the node's URL once the agents are in; on stdin "reset" starts measuring its
// event-loop delay, "lag" prints it (ms: p50, p99, max) as JSON.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startNode } from '../../src/node/index.js';
import { testZone } from '../helpers/node.js';
import { zoneMaterial } from '../helpers/signed.js';
import { makeRecord } from '../store/fixtures.js';

const agents = Number(process.argv[2]);
const config = testZone('acme-corp.com'); // the fixtures' zone
// /v1/sync is signed: demo material from the test's certs directory (argv[3])
const node = await startNode({ config, port: 0, identity: await zoneMaterial(config.zone, process.argv[3]) });
const pad = 'x'.repeat(1000);
for (let i = 0; i < agents; i++) {
  await node.ctx.store.put(makeRecord(`agent-${i}`, { description: `agent ${i} ${pad}`, capabilities: [`cap_${i % 50}`], visibility: i % 10 === 9 ? 'internal' : 'public' }));
}
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
// The longest stretch of this process's own CPU between two 5 ms ticks: what a
// synchronous task blocks the loop for, without the time the scheduler took the core
// away (which the wall-clock delay above includes on a loaded machine).
let blockMax = 0;
let lastCpu = process.cpuUsage();
setInterval(() => {
  const now = process.cpuUsage();
  blockMax = Math.max(blockMax, (now.user - lastCpu.user + now.system - lastCpu.system) / 1000);
  lastCpu = now;
}, 5).unref();
process.stdout.write(`${node.url}\n`);
const ms = (ns: number) => Math.round(ns / 1e4) / 100;
for await (const cmd of createInterface({ input: process.stdin })) {
  if (cmd === 'reset') {
    loop.reset();
    blockMax = 0;
    lastCpu = process.cpuUsage();
  }
  process.stdout.write(cmd === 'lag' ? `${JSON.stringify({ p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max), cpu_block_max: Math.round(blockMax * 100) / 100 })}\n` : 'ok\n');
}
process.exit(0);

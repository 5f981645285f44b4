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
process.stdout.write(`${node.url}\n`);
const ms = (ns: number) => Math.round(ns / 1e4) / 100;
for await (const cmd of createInterface({ input: process.stdin })) {
  if (cmd === 'reset') loop.reset();
  process.stdout.write(cmd === 'lag' ? `${JSON.stringify({ p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) })}\n` : 'ok\n');
}
process.exit(0);

// Worker: writes the signed records of agents [start, end) as JSON lines to `out`, and a
// second, later version of every 100th of them to `updates` (same key, rising version).
import { openSync, writeSync, closeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { AGENTS_PER_PUBLISHER, manifestFor, newPublisher, recordFor, trustFor, type BenchPublisher } from './data.js';

const { start, end, out, updates } = workerData as { start: number; end: number; out: string; updates: string };
const fd = openSync(out, 'w');
const ufd = openSync(updates, 'w');
let chunk = '';
let uchunk = '';
let pub: BenchPublisher | undefined;
let pubOf = -1;
for (let i = start; i < end; i++) {
  const p = Math.floor(i / AGENTS_PER_PUBLISHER);
  if (p !== pubOf) {
    pub = newPublisher();
    pubOf = p;
  }
  chunk += `${JSON.stringify(recordFor(manifestFor(i), pub!, trustFor(i), 1))}\n`;
  if (i % 100 === 7) uchunk += `${JSON.stringify(recordFor(manifestFor(i, '1.1.0'), pub!, trustFor(i), 2))}\n`;
  if (chunk.length > 4 << 20) {
    writeSync(fd, chunk);
    chunk = '';
    parentPort?.postMessage({ done: i - start + 1 });
  }
}
writeSync(fd, chunk);
writeSync(ufd, uchunk);
closeSync(fd);
closeSync(ufd);
parentPort?.postMessage({ done: end - start, finished: true });

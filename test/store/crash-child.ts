// Child of crash.test.ts: publishes into a durable store as fast as it can and prints
// "seq \t op \t name" for each change only after put()/remove() resolved (acknowledged).
// The parent kills it with SIGKILL at a random moment.
import { ZoneStore } from '../../src/store/zone-store.js';
import { makeRecord, ZONE } from './fixtures.js';

const [dir, round] = process.argv.slice(2) as [string, string];
const store = await ZoneStore.open({ zone: ZONE, dir, compactAfter: 1500, compactRatio: 1 });
const NAMES = 400;
const IN_FLIGHT = 64;
let i = 0;

function nextChange(): Promise<string | undefined> {
  const n = i++;
  const name = `crash-${(n * 7919) % NAMES}`;
  const current = store.get(name);
  if (current && n % 11 === 0) {
    return store.remove(name).then((e) => (e ? `${e.seq}\tdelete\t${name}` : undefined));
  }
  const patch = current ? Number(current.version.split('.')[2]) + 1 : 0;
  const record = makeRecord(name, { version: `1.${round}.${patch}`, capabilities: [`cap_${n % 5}`], trust: (n % 100) / 100 });
  return store.put(record).then((e) => `${e.seq}\tput\t${name}`);
}

async function lane(): Promise<never> {
  for (;;) {
    const line = await nextChange();
    if (line) process.stdout.write(`${line}\n`);
  }
}

for (let k = 0; k < IN_FLIGHT; k++) void lane();

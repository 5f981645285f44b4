// Child of full-disk.test.ts, run inside a private mount namespace with a small tmpfs at
// argv[2] (argv[3]: the test's certs directory): runs a node on it and obeys stdin: "fill" (write a file until ENOSPC), "free"
// (delete it), "restart" (close the node and start it again on the same data). Prints the
// node's URL at start and after a restart, "ok" after the others.
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startNode } from '../../src/node/index.js';
import { testZone } from '../helpers/node.js';
import { zoneMaterial } from '../helpers/signed.js';

const mnt = process.argv[2]!;
const config = testZone();
// /v1/sync is signed: the node's demo identity from the test's certs directory (argv[3])
const opts = { config, port: 0, dataDir: join(mnt, 'data'), storeProbeMs: 200, identity: await zoneMaterial(config.zone, process.argv[3]) };
let node = await startNode(opts);
process.stdout.write(`${node.url}\n`);
const filler = join(mnt, 'filler');

async function fill() {
  const fh = await open(filler, 'w');
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          await fh.write(chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    await fh.close();
  }
}

for await (const cmd of createInterface({ input: process.stdin })) {
  if (cmd === 'fill') await fill();
  else if (cmd === 'free') await rm(filler, { force: true });
  else if (cmd === 'restart') {
    await node.close();
    node = await startNode({ ...opts, port: node.port });
    process.stdout.write(`${node.url}\n`);
    continue;
  }
  process.stdout.write('ok\n');
}

// Issue 7 finding 5: a full disk. Writes fail with ENOSPC; the zone answers 507
// STORAGE_FULL, serves nothing it did not store, reports "degraded" in /healthz, and
// recovers by itself once space returns (no restart), with the log intact after a restart.
// Two ways to fill the disk: an injected file handle that fails (always runs), and a real
// small tmpfs in a private mount namespace (runs where `unshare -m` + mount are allowed).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'uvu';
import { startNode } from '../../src/node/index.js';
import type { OpenFile } from '../../src/store/append-log.js';
import { testZone } from '../helpers/node.js';
import { testCertsDir, zoneMaterial } from '../helpers/signed.js';
import { fullDiskScenario } from './full-disk-scenario.js';

/** Real file handles whose writes, while `full`, write half their bytes and then fail with ENOSPC. */
function failingDisk() {
  const state = { full: false };
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
  const openFile: OpenFile = async (path, flags) => {
    const fh = await open(path, flags);
    return new Proxy(fh, {
      get(target, prop) {
        if (prop === 'write') {
          return async (buf: Buffer, off = 0) => {
            if (!state.full) return target.write(buf, off);
            const half = Math.floor((buf.length - off) / 2);
            if (half > 0) await target.write(buf, off, half); // a partial line lands in the file
            throw enospc();
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  return { state, openFile };
}

test('injected ENOSPC: 507, nothing unstored served, degraded, recovers by itself', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steward-full-'));
  const disk = failingDisk();
  const config = testZone();
  const opts = { config, port: 0, dataDir: dir, storeOpenFile: disk.openFile, storeProbeMs: 100, identity: await zoneMaterial(config.zone) };
  let node = await startNode(opts);
  try {
    const { recoveredMs } = await fullDiskScenario(node.url, {
      fill: async () => void (disk.state.full = true),
      free: async () => void (disk.state.full = false),
    }, async () => {
      await node.close();
      node = await startNode({ ...opts, port: node.port });
      return node.url;
    });
    console.log(`  injected: full → ok again ${recoveredMs} ms after the first 507 (probe every 100 ms)`);
  } finally {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  }
});

const CHILD = new URL('./full-disk-child.ts', import.meta.url).pathname;

function tmpfsAllowed(mnt: string): string | undefined {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=1m tmpfs ${mnt} && umount ${mnt}`], { encoding: 'utf8' });
  if (r.error) return `unshare is not available (${r.error.message})`;
  if (r.status !== 0) return `unshare -m + mount -t tmpfs not permitted here: ${r.stderr.trim()}`;
  return undefined;
}

test('real ENOSPC on a small tmpfs (private mount namespace)', async () => {
  const mnt = await mkdtemp(join(tmpdir(), 'steward-tmpfs-'));
  const why = tmpfsAllowed(mnt);
  if (why) {
    console.log(`  SKIPPED the tmpfs variant: ${why} (the injected variant above still ran)`);
    await rm(mnt, { recursive: true, force: true });
    return;
  }
  const certs = await testCertsDir(); // the node's identity (sync is signed), made here first
  await zoneMaterial(testZone().zone);
  // The node runs in its own mount namespace, on a 2 MiB tmpfs it mounts at `mnt`; it
  // fills and frees the disk when told to on stdin, and restarts its node on "restart".
  const child = spawn('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=2m tmpfs ${mnt} && exec "${process.execPath}" --import tsx ${CHILD} ${mnt} ${certs}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ask = async (cmd?: string) => {
    if (cmd) child.stdin!.write(`${cmd}\n`);
    const { value, done } = await lines.next();
    if (done) throw new Error('the tmpfs child ended');
    return value as string;
  };
  try {
    const url = await ask();
    const { recoveredMs } = await fullDiskScenario(url, { fill: () => ask('fill').then(() => {}), free: () => ask('free').then(() => {}) }, () => ask('restart'));
    console.log(`  tmpfs: full → ok again ${recoveredMs} ms after the first 507 (probe every 200 ms)`);
  } finally {
    child.kill('SIGKILL');
    await rm(mnt, { recursive: true, force: true });
  }
});

test.run();

// Every demo zone started on its own as `steward-registry serve --zone zones/<file>.json`
// with a fresh data directory, all at once, sharing one certs directory: each finds or
// makes the demo's certificate material with no separate step, and they agree on one root.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './helpers.js';

const BIN = join(ROOT, 'bin/steward-registry.js');

function serve(zoneFile: string, dataDir: string, certsDir: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [BIN, 'serve', '--zone', zoneFile, '--port', '0', '--data-dir', dataDir, '--certs-dir', certsDir], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${zoneFile}: no URL within 90 s\n${err}`)), 90_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^[a-z0-9.-]+\s+(https?:\/\/\S+)\s*$/m.exec(out); // the banner line (a warning may come first)
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`${zoneFile} exited ${code}: ${err}`)));
  });
  return { child, url };
}

test('all ten demo zone files start at once, each alone, and share one root with certificates OpenSSL verifies', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steward-demo-par-'));
  const certs = join(dir, 'certs');
  // The zone files that join by register (github's sub-zones) are started by federation
  // up, which registers them with their parents (test/node/demo-tree.test.ts); this is
  // the ten zone files that each run alone (eight zones; the root three times, in
  // us-east, eu-west and asia-east: root.json, root-eu-west.json, root-asia-east.json).
  const files = (await readdir(join(ROOT, 'zones'))).filter((f) => f.endsWith('.json') && !readFileSync(join(ROOT, 'zones', f), 'utf8').includes('"join": "register"'));
  assert.is(files.length, 10);
  const nodes = files.map((f) => serve(join(ROOT, 'zones', f), join(dir, f), certs));
  try {
    const urls = await Promise.all(nodes.map((n) => n.url));
    const zones = await Promise.all(urls.map(async (u) => (await fetch(`${u}/v1/zone`)).json() as Promise<any>));
    const roots = new Set(zones.map((z) => (z.chain.length ? z.chain.at(-1) : z.certificate)));
    assert.is(roots.size, 1, 'one root for every zone');
    await writeFile(join(dir, 'root.pem'), [...roots][0]);
    for (const z of zones) {
      if (!z.chain.length) continue; // the root itself
      await writeFile(join(dir, 'leaf.pem'), z.certificate);
      await writeFile(join(dir, 'chain.pem'), z.chain.join(''));
      const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'chain.pem'), join(dir, 'leaf.pem')]).toString();
      assert.match(out, /OK/, z.zone);
    }
    const left = (await readdir(certs)).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'));
    assert.equal(left, [], 'no lock or temp files left');
  } finally {
    // Each node stops (its store closes) before its data directory is removed; a node
    // that does not stop within 15 s is killed.
    await Promise.all(nodes.map(({ child }) => new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => { clearTimeout(kill); done(); });
      child.kill('SIGTERM');
    })));
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
});

test.run();

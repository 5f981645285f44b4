// steward-registry as a new operator meets it: each command's --help explains its own
// options, `federation up` (npm start) prints its banner before any log line and lists
// the zones as a tree from the root, and an unwritable data directory is named as such.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';
import { stewardRegistry } from './registry-helpers.js';

const BIN = join(ROOT, 'bin/steward-registry.js');
const tmp = mkdtempSync(join(tmpdir(), 'steward-newuser-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('serve --help explains --zone, --port, --host, --data-dir and the REDIS_URL forms; `help serve` prints the same', async () => {
  const [help, viaHelp] = await Promise.all([stewardRegistry(['serve', '--help']), stewardRegistry(['help', 'serve'])]);
  assert.is(help.code, 0);
  for (const flag of ['--zone FILE', '--port N', '--host H', '--data-dir DIR', '--redis URL', '--memory', '--namespace N', '--parent URL']) {
    assert.ok(help.stdout.includes(flag), `serve --help explains ${flag}`);
  }
  assert.match(help.stdout, /redis\+sentinel:\/\//);
  assert.match(help.stdout, /redis\+cluster:\/\//);
  assert.not.match(help.stdout, /^usage:\n {2}steward-registry serve/m, 'not the general usage');
  assert.is(viaHelp.stdout, help.stdout);
});

test('federation up --help (and federation --help) explain its options and where --port and --host are', async () => {
  const [up, bare] = await Promise.all([stewardRegistry(['federation', 'up', '--help']), stewardRegistry(['federation', '--help'])]);
  assert.is(up.code, 0);
  for (const flag of ['--zones DIR', '--data-dir DIR', '--redis URL', '--ephemeral-ports', '--memory', '--certs-dir DIR']) assert.ok(up.stdout.includes(flag), flag);
  assert.match(up.stdout, /listen\.host and listen\.port/);
  assert.match(up.stdout, /serve --zone FILE --port N --host H/);
  assert.is(bare.stdout, up.stdout);
});

test('federation up prints its banner first (no JSON before it) and the zones as a tree from the root', async () => {
  const child = spawn(process.execPath, [BIN, 'federation', 'up', '--zones', join(ROOT, 'zones'), '--ephemeral-ports', '--data-dir', join(tmp, 'fed')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', STEWARD_DATA_DIR: undefined, REDIS_URL: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const closed = new Promise((r) => child.once('close', r));
  try {
    const end = Date.now() + 120_000;
    while (!/^Try:/m.test(out) && child.exitCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300)); // the held log lines follow the banner
    const lines = out.split('\n');
    assert.match(lines[0]!, /^Steward federation up: \d+ registries on loopback$/, out);
    const tree = lines.slice(1, lines.findIndex((l) => l === ''));
    const names = tree.map((l) => l.replace(/\s+http:\S+$/, '').slice(2));
    assert.is(names[0], 'steward-registry.org', 'the root first');
    assert.ok(names.includes('├─ com.steward-registry.org'), names.join('\n'));
    const com = names.indexOf('├─ com.steward-registry.org');
    assert.match(names[com + 1]!, /^│ {2}[├└]─ (acme-corp|vibe-agency)\.com\.steward-registry\.org$/, 'children under their parent');
    assert.ok(names.includes('└─ org.steward-registry.org') || names.includes('├─ org.steward-registry.org'));
    assert.ok(names.some((n) => /^ {3}[├└]─ openai\.org\.steward-registry\.org$|^│ {2}[├└]─ openai\.org/.test(n)), names.join('\n'));
    for (const l of tree) assert.match(l, /http:\/\/127\.0\.0\.1:\d+$/);
    assert.not.match(out.slice(0, out.indexOf('Try:')), /^\{"level"/m, 'no JSON log line before the banner ends');
    assert.match(out.slice(out.indexOf('Try:')), /^\{"level":30/m, 'the start-up log lines come after it');
  } finally {
    child.kill('SIGTERM');
    await closed;
  }
});

test('an unwritable data directory is reported as such, not as "cannot listen"', async () => {
  const ro = join(tmp, 'read-only');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  chmodSync(tmp, 0o755);
  const dir = join(ro, 'data');
  // root may write anywhere: run the command as nobody then (as a container's non-root user would).
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [BIN, 'serve', '--zone', join(ROOT, 'zones/vibe-agency.com.json'), '--port', '0', '--data-dir', dir], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', STEWARD_DATA_DIR: undefined }, stdio: ['ignore', 'pipe', 'pipe'], ...asUser,
    });
    let stderr = '';
    c.stderr.on('data', (d) => (stderr += d));
    c.once('close', (code) => resolve({ code, stderr }));
  });
  assert.is(res.code, 2, res.stderr);
  assert.is(res.stderr.trim(), `error: cannot write data directory ${dir}: EACCES (permission denied)`);

  // A data directory path through a regular file: the same message, with the reason.
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'x');
  const fed = await stewardRegistry(['federation', 'up', '--zones', join(ROOT, 'zones'), '--ephemeral-ports', '--data-dir', join(file, 'data')]);
  assert.is(fed.code, 2, fed.stderr);
  assert.match(fed.stderr, new RegExp(`^error: cannot write data directory ${join(file, 'data')}: ENOTDIR`));
  assert.not.match(fed.stderr, /cannot listen/);
});

test.run();

// The demo's certificate material: many nodes starting at once with one certs directory
// agree on one root and one certificate per zone, each made once, keys 0600, nothing
// half-written left behind; a restart reuses everything; make-root-ca refuses to replace.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT_DIR = new URL('../..', import.meta.url).pathname;
const ZONES = ['steward-registry.org', 'com.steward-registry.org', 'vibe-agency.com.steward-registry.org', 'acme-corp.com.steward-registry.org', 'org.steward-registry.org', 'openai.org.steward-registry.org', 'anthropic.org.steward-registry.org'];

interface Out { zone: string; cert: string; root: string; chain: string[] }

function child(dir: string, zone: string): Promise<Out> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'test/pki/demo-child.ts'), dir, zone, 'p256'], { cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Out) : reject(new Error(`${zone}: exit ${code}\n${err}`))));
  });
}

const opensslOk = (dir: string, zone: string) =>
  spawnSync('openssl', ['verify', '-CAfile', join(dir, 'root-ca.pem'), '-untrusted', join(dir, `${zone}.chain.pem`), join(dir, `${zone}.pem`)], { encoding: 'utf8' });

test('nodes starting at once share one root and one certificate per zone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-demo-'));
  try {
    // every zone, one of them twice, all at once: leaves race their parents and each other
    const outs = await Promise.all([...ZONES, ZONES[6]!].map((z) => child(dir, z)));
    const roots = new Set(outs.map((o) => o.root));
    assert.is(roots.size, 1, 'one root');
    for (const z of ZONES) {
      const mine = outs.filter((o) => o.zone === z);
      assert.is(new Set(mine.map((o) => o.cert)).size, 1, `${z}: one certificate`);
    }
    const com = outs.find((o) => o.zone === 'com.steward-registry.org')!;
    const vibe = outs.find((o) => o.zone === 'vibe-agency.com.steward-registry.org')!;
    assert.equal(vibe.chain, [com.cert, com.root], 'chain = issuers up to the root');
    for (const z of ZONES.slice(1)) {
      const r = opensslOk(dir, z);
      assert.is(r.status, 0, `${z}: ${r.stdout}${r.stderr}`);
    }
    const files = readdirSync(dir);
    assert.equal(files.filter((f) => /\.(lock|tmp)$/.test(f)), [], 'no locks or temp files left');
    for (const f of files.filter((f) => f.endsWith('.key'))) assert.is(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    // a restart finds and reuses everything
    const again = await Promise.all([ZONES[0]!, ZONES[2]!, ZONES[6]!].map((z) => child(dir, z)));
    for (const o of again) assert.is(o.cert, outs.find((x) => x.zone === o.zone)!.cert, `${o.zone} reused`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stale lock left by a crashed node is broken; a broken chain is reissued', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-demo-'));
  try {
    const first = await child(dir, 'com.steward-registry.org');
    // a different root appears (the operator replaced it): com's certificate no longer chains
    rmSync(join(dir, 'root-ca.pem'));
    rmSync(join(dir, 'root-ca.key'));
    writeFileSync(join(dir, 'org.steward-registry.org.lock'), '99999');
    const { utimesSync } = await import('node:fs');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(join(dir, 'org.steward-registry.org.lock'), old, old);
    const [com, org] = await Promise.all([child(dir, 'com.steward-registry.org'), child(dir, 'org.steward-registry.org')]);
    assert.is.not(com.root, first.root);
    assert.is.not(com.cert, first.cert, 'reissued under the new root');
    assert.is(opensslOk(dir, 'com.steward-registry.org').status, 0);
    assert.is(org.root, com.root);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('make-root-ca: writes a name-constrained root, key 0600, refuses to overwrite without --force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pki-rootca-'));
  try {
    const run = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'scripts/make-root-ca.ts'), '--out', dir, '--alg', 'p256', ...a], { cwd: ROOT_DIR, encoding: 'utf8' });
    const r1 = run();
    assert.is(r1.status, 0, r1.stderr);
    assert.match(r1.stdout, /Fingerprint: sha256:[0-9a-f]{64}/);
    assert.is(statSync(join(dir, 'root-ca.key')).mode & 0o777, 0o600);
    const text = spawnSync('openssl', ['x509', '-in', join(dir, 'root-ca.pem'), '-noout', '-text'], { encoding: 'utf8' }).stdout;
    assert.match(text, /Name Constraints: critical\s+Permitted:\s+DNS:steward-registry\.org/);
    const r2 = run();
    assert.is(r2.status, 1);
    assert.match(r2.stderr, /already exists.*--force/);
    const r3 = run('--force', '--root-domain', 'example-federation.net');
    assert.is(r3.status, 0, r3.stderr);
    assert.match(spawnSync('openssl', ['x509', '-in', join(dir, 'root-ca.pem'), '-noout', '-subject'], { encoding: 'utf8' }).stdout, /example-federation\.net/);
    assert.is(run('--alg', 'dsa').status, 2);
    // the repository's .gitignore keeps these names out of git under certs/
    const names = ['certs/root-ca.key', 'certs/com.steward-registry.org.key', 'certs/demo/com.steward-registry.org.key', 'certs/x.lock', 'certs/x.pem.1.ab.tmp'];
    const ign = spawnSync('git', ['check-ignore', '--no-index', ...names], { cwd: ROOT_DIR, encoding: 'utf8' });
    assert.equal(ign.stdout.trim().split('\n'), names);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

// The package installed as production installs it: a copy of the checkout, built with
// `npm run build`'s tsconfig, then `npm ci --omit=dev` (no tsx, no TypeScript), and a
// node started from it answers /healthz and `steward resolve`. Slow-ish (an npm install
// from the local cache); one file so it runs once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const COPY = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'zones'];
const dir = mkdtempSync(join(tmpdir(), 'steward-prod-'));
const stops: (() => void)[] = [];

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000, env: { ...process.env, STEWARD_FROM_SOURCE: '', NODE_ENV: 'production' } });
  assert.is(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function serve(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/steward-registry.js', 'serve', ...args], {
      cwd: dir, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    stops.push(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}\n${err}`)), 60_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^\S+ {2}(https?:\/\/\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('close', (code) => reject(new Error(`serve exited with ${code}:\n${out}\n${err}`)));
  });
}

test.after(() => {
  for (const stop of stops) stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a production install (build, npm ci --omit=dev) starts a node without tsx or TypeScript', async () => {
  for (const p of COPY) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  // The build stage with the checkout's full install (dev dependencies: the compiler and
  // @types), lent for the build only, as a Docker build stage has it; then thrown away.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  run('npm', ['run', 'build'], dir);
  unlinkSync(join(dir, 'node_modules'));
  assert.ok(existsSync(join(dir, 'dist/cli/registry/main.js')), 'dist/ holds the compiled entry point');
  run('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], dir);
  assert.not.ok(existsSync(join(dir, 'node_modules/tsx')), 'no tsx in a production install');
  assert.not.ok(existsSync(join(dir, 'node_modules/typescript')), 'no TypeScript in a production install');

  const url = await serve(['--zone', 'zones/com.json', '--port', '0', '--memory']);
  const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  assert.is(health.status, 200);

  // The client from the same install, against that node: an answer, not a missing module.
  const r = spawnSync(process.execPath, ['bin/steward.js', 'resolve', 'no-such-agent.com', '--registry', url], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH } });
  assert.is(r.status, 1, `NXDOMAIN exits 1:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /NXDOMAIN/);
});

test('dist/ is not tracked by git and the package ships only what runs', () => {
  assert.match(readFileSync(join(ROOT, '.gitignore'), 'utf8'), /^dist\/$/m);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.match(pkg.scripts.build, /tsconfig\.build\.json/);
  assert.match(pkg.scripts.start, /^node bin\/steward-registry\.js/);
});

test.run();

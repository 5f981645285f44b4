// Project rules, enforced here rather than remembered (see README "Layout").
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = new URL('../..', import.meta.url).pathname;
const files = (dir: string, out: string[] = []): string[] => {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
};
const src = files(join(ROOT, 'src'));
const walk = (dir: string, out: string[] = []): string[] => {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
};
const rel = (p: string) => relative(ROOT, p);

test('only src/config reads process.env', () => {
  const offenders = src.filter((f) => !rel(f).startsWith('src/config/') && /process\.env\b/.test(readFileSync(f, 'utf8')));
  assert.equal(offenders.map(rel), []);
});

test('src/ has a folder per concern and no loose files', () => {
  const loose = readdirSync(join(ROOT, 'src')).filter((e) => !statSync(join(ROOT, 'src', e)).isDirectory());
  assert.equal(loose, []);
});

test('files stay short (≤ 400 lines)', () => {
  const long = src.map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
  assert.equal(long, []);
});

test('errors come from the one error module: no ad-hoc Error subclasses in src/', () => {
  const offenders = src.filter((f) => !rel(f).startsWith('src/errors/') && /class \w+ extends Error\b/.test(readFileSync(f, 'utf8')));
  assert.equal(offenders.map(rel), [], 'use StewardError from src/errors');
});

test('relative imports end in .js (module nodenext)', () => {
  const bad = src.flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)].filter((m) => !m[1]!.endsWith('.js')).map((m) => `${rel(f)}: ${m[1]}`),
  );
  assert.equal(bad, []);
});

test('no private keys are tracked in certs/', () => {
  // Scripts write keys there (scripts/make-root-ca.ts, the demo): they must be ignored by
  // git, and nothing tracked may be (or contain) a private key.
  const tracked = execFileSync('git', ['ls-files', 'certs'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const trackedKeys = tracked.filter((f) => (/key|private/i.test(f) && !f.endsWith('.md')) || /PRIVATE KEY/.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.equal(trackedKeys, []);
  const onDisk = walk(join(ROOT, 'certs'));
  const keyFiles = onDisk.map(rel).filter((f) => /key|private/i.test(f.split('/').pop()!) && !f.endsWith('.md'));
  const notIgnored = keyFiles.filter((f) => spawnSync('git', ['check-ignore', '-q', f], { cwd: ROOT }).status !== 0);
  assert.equal(notIgnored, [], 'private key files in certs/ that git would not ignore');
});

test.run();

// Runs every *.test.ts file under test/ in its own process (a crash or a hung server in
// one file cannot take the others down), two at a time, and ends with one summary line:
// "N passed, M failed". Usage: tsx test/run.ts [filter...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const PER_FILE_TIMEOUT_MS = 240_000;
const CONCURRENCY = Number(process.env.TEST_CONCURRENCY || 2);
// The client's cache directory (the geo-aware choice), one per run: never the developer's ~/.cache.
const CACHE = mkdtempSync(join(tmpdir(), 'steward-test-cache-'));

function findTests(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (entry.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

interface FileResult { file: string; passed: number; failed: number; ms: number; output: string; code: number | null }

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', STEWARD_FROM_SOURCE: '1', XDG_CACHE_HOME: CACHE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[runner] timed out after ${PER_FILE_TIMEOUT_MS} ms, killed\n`;
      child.kill('SIGKILL');
    }, PER_FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      // uvu prints "Total: N", "Passed: N" per run() call; sum them all.
      const sum = (re: RegExp) => [...output.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      const total = sum(/^\s*Total:\s+(\d+)/gm);
      let passed = sum(/^\s*Passed:\s+(\d+)/gm);
      let failed = total - passed;
      if (code !== 0 && failed === 0) failed = 1; // crashed or exited non-zero without a count
      if (total === 0 && code === 0) passed = 0;
      resolve({ file: relative(ROOT, file), passed, failed, ms: Date.now() - started, output, code });
    });
  });
}

async function main() {
  const filters = process.argv.slice(2);
  const files = findTests(join(ROOT, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
  const queue = [...files];
  const results: FileResult[] = [];
  async function worker() {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await runFile(f);
      results.push(r);
      const mark = r.failed ? 'FAIL' : 'ok  ';
      console.log(`${mark} ${r.file}  ${r.passed} passed, ${r.failed} failed  (${(r.ms / 1000).toFixed(1)} s)`);
      if (r.failed) console.log(r.output.split('\n').map((l) => `     | ${l}`).join('\n'));
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`\n${results.length} test files`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();

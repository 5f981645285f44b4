// Issue 7 finding 1, the Done-when figure: a resolver node run as its own process
// (`steward-registry serve`) keeps its resident memory under 300 MB while a hostile
// zone answers 10,000 distinct names with 1 MB bodies (and 2,000 more with ~200 KB of
// padding that fits the body cap, so the stripped answers are cached). RSS is read from
// /proc/<pid>/status; the peak is printed for the closing note.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pool } from 'undici';
import { HostileServer } from './hostile-fake.js';
import { ROOT, testRecord } from './tree.js';

const NAMES = 10_000;
const CACHED = 2_000;
const LIMIT_MB = 300;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

test(`resolver RSS stays under ${LIMIT_MB} MB while a zone answers ${NAMES} names with 1 MB bodies`, async () => {
  const mb = Buffer.alloc(1024 * 1024, 'x');
  const pad200k = Buffer.alloc(200 * 1024, 'y');
  const hostile = await new HostileServer((name) => {
    const label = name.split('.')[0]!;
    const head = JSON.stringify({ status: 'NOERROR', name, zone: ROOT, ttl: 86_400, answer: testRecord(label, ROOT) }).slice(0, -1);
    return { chunks: [head, ',"pad":"', label.startsWith('c') ? pad200k : mb, '"}'] };
  }).start();
  const dir = await mkdtemp(join(tmpdir(), 'steward-rss-'));
  const zoneFile = join(dir, 'me.json');
  await writeFile(zoneFile, JSON.stringify({ zone: `me.${ROOT}`, parent: { zone: ROOT, url: hostile.url }, listen: { host: '127.0.0.1', port: 0 } }));
  const child = spawn(process.execPath, ['bin/steward-registry.js', 'serve', '--zone', zoneFile, '--port', '0', '--memory'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let pool: Pool | undefined;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    const pid = child.pid!;
    const baseline = await rssMb(pid);
    let peak = baseline;
    const sampler = setInterval(() => void rssMb(pid).then((v) => (peak = Math.max(peak, v)), () => {}), 200);
    pool = new Pool(url, { connections: 32 });
    const statuses = new Map<number, number>();
    const ask = async (name: string) => {
      const res = await pool!.request({ path: `/v1/resolve?name=${name}`, method: 'GET', headersTimeout: 30_000, bodyTimeout: 30_000 });
      await res.body.text();
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    };
    const names = [...Array.from({ length: NAMES }, (_, i) => `n${i}.${ROOT}`), ...Array.from({ length: CACHED }, (_, i) => `c${i}.${ROOT}`)];
    const started = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < names.length) await ask(names[next++]!);
    }));
    clearInterval(sampler);
    peak = Math.max(peak, await rssMb(pid));
    // The cached ones come back from the cache, stripped.
    const hit = await pool.request({ path: `/v1/resolve?name=c1.${ROOT}`, method: 'GET' });
    const body = await hit.body.text();
    console.log(`  RSS: ${baseline.toFixed(0)} MB at start, peak ${peak.toFixed(0)} MB over ${names.length} names in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}; cached answer ${body.length} bytes`);
    assert.is(statuses.get(502), NAMES, '1 MB answers are refused (SERVFAIL)');
    assert.is(statuses.get(200), CACHED);
    assert.match(body, '"source":"cache"');
    assert.ok(body.length < 4_000 && !body.includes('"pad"'), 'cached stripped');
    assert.ok(peak < LIMIT_MB, `peak RSS ${peak.toFixed(0)} MB`);
  } finally {
    await pool?.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    await hostile.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

// Malformed input: ≥ 10,000 generated bad requests against every endpoint of a node
// running in its own process. No 5xx, every error is problem+json with a code, the
// process never dies, and what was stored before is still there afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pool } from 'undici';
import { generatePublisherKey, signCompact } from '../../src/records/keys.js';
import { manifest, ROOT } from '../helpers/node.js';
import { signedHeaders, zoneMaterial } from '../helpers/signed.js';

const TOTAL = 10_000;
let certsDir = '';
let baseUrl = '';
const CONCURRENCY = 32;

// Small deterministic PRNG so a failure can be replayed.
let seed = 0x5eed;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rnd() * 0xd7ff))).join('');
const ascii = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rnd() * 95))).join('');
const deep = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);
const b64 = (s: string) => Buffer.from(s).toString('base64url');

const badNames = () => pick([
  '', '.', '..', '-a', 'a-', 'a..b', 'a_b', 'a b', '%zz', '%00', 'x'.repeat(64), `${'a.'.repeat(130)}a`, junk(5), ascii(12),
  'xn--', 'xn--zz', '\u0000', '😀', 'ＡＢＣ\u200b', 'a/b', '../../etc/passwd', 'a\u0301', `${'x'.repeat(300)}`, '[]', '{}',
]);
const wrongValues = () => pick<unknown>([null, 1, -1, 1e308, true, 'x', [], {}, [1, 2], { a: { b: {} } }, 'A'.repeat(2000), junk(40)]);

function manifestVariants(): unknown {
  const m: Record<string, unknown> = { ...manifest({ name: `fuzz-${Math.floor(rnd() * 1e6)}` }) };
  const field = pick(['name', 'version', 'description', 'capabilities', 'endpoints', 'tags', 'visibility', 'extra']);
  const roll = rnd();
  if (roll < 0.15) return wrongValues();
  if (roll < 0.3) return JSON.parse(deep(200 + Math.floor(rnd() * 300)));
  if (roll < 0.4) m[field] = JSON.parse(deep(100, '{"a":', '}').replace(/\{"a":\}/, '{}').replace(/}+$/, (s) => s) || '{}');
  else if (roll < 0.5) m.endpoints = [{ url: pick(['javascript:alert(1)', 'ftp://x', 'http://', ascii(30)]), protocol: 'a2a' }];
  else if (roll < 0.6) m.capabilities = Array.from({ length: 100 }, () => ascii(8));
  else m[field] = wrongValues();
  return m;
}

async function badJws(key: Awaited<ReturnType<typeof generatePublisherKey>>): Promise<string> {
  const roll = rnd();
  if (roll < 0.35) return signCompact(manifestVariants() as object, key).catch(() => 'a.b.c'); // signed, but wrong inside
  const good = await signCompact(manifest(), key);
  const [h, p, s] = good.split('.');
  return pick([
    () => `${h}.${p}`,
    () => `${h}.${p}.${s}.${s}`,
    () => `${b64(ascii(20))}.${p}.${s}`,
    () => `${b64('{"alg":"none"}')}.${p}.`,
    () => `${b64('{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}')}.${p}.${s}`,
    () => `${b64(JSON.stringify({ alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } }))}.${p}.${s}`,
    () => `${b64(JSON.stringify({ alg: 'ES256', jwk: wrongValues() }))}.${p}.${s}`,
    () => `${b64(deep(500, '{"a":', '}'))}.${p}.${s}`,
    () => `${h}.${b64(deep(5000))}.${s}`,
    () => `${h}.${b64(ascii(50))}.${s}`,
    () => `${h}.${p}.${b64(junk(64))}`,
    () => junk(100),
    () => `${h}!.${p}.${s}`,
  ])();
}

interface Req { method: string; path: string; body?: string; headers?: Record<string, string> }

async function generate(key: Awaited<ReturnType<typeof generatePublisherKey>>): Promise<Req> {
  const enc = encodeURIComponent;
  const kind = Math.floor(rnd() * 10);
  switch (kind) {
    case 0: return { method: 'GET', path: `/v1/resolve?name=${enc(badNames())}&rd=${pick(['0', '1', 'x', '', '-1', '2'])}` };
    case 1: return { method: 'GET', path: pick([`/v1/resolve?name=${encodeURI(badNames())}`, '/v1/resolve?name=%E0%A4%A', '/v1/resolve?name', `/v1/resolve?name=a&name=b&rd=0`, `/v1/resolve?name=${enc(ascii(3000))}`]) };
    case 2: return { method: 'GET', path: `/v1/discover?q=${enc(pick(['', ascii(300), junk(10), 'planning', '%']))}&scope=${pick(['local', 'x', '', 'federated2'])}&sort=${pick(['trust', 'nope', ''])}&limit=${pick(['0', '101', '-5', 'abc', '1e9', '10'])}` };
    case 3: case 4: {
      const type = pick(['application/jose', 'application/json', 'text/plain', 'image/png', '', 'application/jose; charset=utf-8']);
      const body = type === 'application/json' ? pick([`{"jws":${JSON.stringify(await badJws(key))}}`, '{"jws":', deep(3000), '{"jws":123}', 'null', '[]', ascii(100)]) : await badJws(key);
      return { method: 'POST', path: '/v1/agents', body, headers: type ? { 'content-type': type } : {} };
    }
    case 5: return { method: pick(['GET', 'DELETE']), path: `/v1/agents/${enc(badNames())}`, body: undefined };
    case 6: return { method: 'DELETE', path: `/v1/agents/${pick(['vibe-agency-orchestrator', 'nobody'])}`, body: await badJws(key), headers: { 'content-type': 'application/jose' } };
    case 7: {
      // signed as the parent pulls (SPEC §5), so the fuzzed parameters reach the route
      const path = `/v1/sync?since=${pick(['-1', 'abc', '1e99', '99999999999999999999', '0'])}&limit=${pick(['0', '100000', 'x', '5'])}`;
      return { method: 'GET', path, headers: signedHeaders(await zoneMaterial(ROOT, certsDir), 'GET', `${baseUrl}${path}`) };
    }
    case 8: return { method: pick(['PUT', 'PATCH', 'OPTIONS', 'POST', 'GET']), path: pick(['/v1/zone', '/healthz', '/metrics', '/v1/nope', `/${ascii(40).replace(/[^A-Za-z0-9._~!$&'()*+,;=:@/-]/g, '')}`, '/v1/agents', '/v1/resolve']) };
    default: return { method: 'POST', path: '/v1/agents', body: 'x'.repeat(65 * 1024), headers: { 'content-type': 'application/jose' } };
  }
}

/** Requests no HTTP client library would send: broken request lines, headers, bytes. */
const RAW = [
  'GET /a\\b HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /v1/resolve?name=a HTTP/1.1\r\nHost: \u0000\r\n\r\n',
  'GET /v1/zone HTTP/9.9\r\n\r\n',
  'BREW /pot HTCPCP/1.0\r\n\r\n',
  '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\r\n\r\n',
  `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  'POST /v1/agents HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
  'POST /v1/agents HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  'GET /v1/resolve?name=%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n',
];

function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (d) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', () => undefined);
    socket.end(request);
  });
}

async function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const zone = join(dir, 'zone.json');
  await writeFile(zone, JSON.stringify({
    zone: 'vibe-agency.com.steward-registry.org',
    parent: { zone: 'steward-registry.org', url: 'http://127.0.0.1:9' },
    listen: { host: '127.0.0.1', port: 0 },
    agents: [manifest()],
  }));
  certsDir = join(dir, 'certs');
  await zoneMaterial(ROOT, certsDir); // the root the node will trust (made here, found there)
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/registry/main.ts', 'serve', '--zone', zone, '--port', '0', '--data-dir', join(dir, 'data'), '--certs-dir', certsDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    setTimeout(() => reject(new Error('server did not start in 30 s')), 30_000).unref();
  });
  return { child, url };
}

test(`${TOTAL} malformed requests: no 5xx, no crash, stored data intact`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steward-fuzz-'));
  const { child, url } = await startServer(dir);
  baseUrl = url;
  let exited = false;
  child.once('exit', () => (exited = true));
  const pool = new Pool(url, { connections: CONCURRENCY });
  try {
    const key = await generatePublisherKey('ES256');
    const before = await (await fetch(`${url}/v1/agents/vibe-agency-orchestrator`)).json();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (sent < TOTAL) {
        sent++;
        const req = await generate(key);
        try {
          const res = await pool.request({ ...req, headersTimeout: 10_000, bodyTimeout: 10_000 });
          const text = await res.body.text();
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const type = String(res.headers['content-type'] ?? '');
          if (res.statusCode >= 500) failures.push(`${res.statusCode} ${req.method} ${req.path.slice(0, 80)} → ${text.slice(0, 200)}`);
          else if (res.statusCode === 404 && text.startsWith('{"status":"NXDOMAIN"')) continue; // an answer, not an error
          else if (res.statusCode >= 400 && !(type.startsWith('application/problem+json') && /"code":"[A-Z_]+"/.test(text))) {
            failures.push(`${res.statusCode} without problem+json: ${req.method} ${req.path.slice(0, 80)} → ${type} ${text.slice(0, 120)}`);
          }
        } catch (err) {
          failures.push(`${req.method} ${req.path.slice(0, 80)}: ${(err as Error).message}`);
        }
      }
    }));
    assert.ok(sent >= TOTAL);
    assert.equal(failures.slice(0, 10), [], `${failures.length} bad answers`);
    const port = Number(new URL(url).port);
    for (const request of RAW) {
      const answer = await raw(port, request);
      const status = Number(answer.split(' ')[1]);
      assert.ok(status >= 400 && status < 500, `${JSON.stringify(request.slice(0, 40))} → ${answer.slice(0, 80)}`);
      assert.match(answer.toLowerCase(), 'content-type: application/problem+json', JSON.stringify(request.slice(0, 40)));
    }
    assert.not.ok(exited, 'the server process died');
    const health = await fetch(`${url}/healthz`);
    assert.is(health.status, 200);
    const after = await (await fetch(`${url}/v1/agents/vibe-agency-orchestrator`)).json();
    assert.equal(after, before);
    const ok = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(`statuses: ${ok}`);
  } finally {
    await pool.close();
    child.kill('SIGTERM');
    await new Promise((r) => (exited ? r(null) : child.once('exit', r)));
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

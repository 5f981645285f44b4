// --geo-aware on one machine: three replicas of one zone, answering 25, 150 and 300 ms
// late (zone file delay_ms). The client measures them, says which is closest and uses it;
// with that one stopped, the next call answers from the 150 ms one, with no error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { testZone } from '../helpers/node.js';
import { steward } from './helpers.js';

const AGENT = {
  name: 'orchestrator', version: '1.0.0', description: 'Plans work', capabilities: ['orchestrate_sdlc'],
  endpoints: [{ url: 'https://agents.example/orchestrator', protocol: 'a2a' }], visibility: 'public',
};
const REGIONS = [['eu-west', 25], ['us-east', 150], ['asia-east', 300]] as const;
const cache = mkdtempSync(join(tmpdir(), 'steward-geo-cache-'));
const nodes: RunningNode[] = [];

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const hostOf = (n: RunningNode) => new URL(n.url).host;

test.before(async () => {
  const ports = await Promise.all(REGIONS.map(() => freePort()));
  const replicas = REGIONS.map(([region], i) => ({ url: `http://127.0.0.1:${ports[i]}`, region }));
  for (const [i, [region, delay]] of REGIONS.entries()) {
    const config = testZone('vibe-agency.com', { region, delay_ms: delay, replicas, agents: [AGENT], listen: { host: '127.0.0.1', port: ports[i] } });
    nodes.push(await startNode({ config, port: ports[i] }));
  }
});

test.after(async () => {
  await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
  rmSync(cache, { recursive: true, force: true });
});

const env = { XDG_CACHE_HOME: cache };
const [eu, us, asia] = [0, 1, 2].map((i) => () => nodes[i]!);

test('a zone file delay holds the answer back', async () => {
  const t0 = performance.now();
  const res = await fetch(`${asia().url}/healthz`);
  await res.text();
  assert.is(res.status, 200);
  assert.ok(performance.now() - t0 >= 295, 'asia answers no sooner than its 300 ms');
});

test('--geo-aware measures every replica, marks the closest and uses it', async () => {
  const r = await steward(['resolve', 'orchestrator', '--registry', us().url, '--geo-aware'], { env });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Measuring latency\.\.\./);
  const line = (n: RunningNode) => r.stdout.split('\n').find((l) => l.includes(`- ${hostOf(n)}`)) ?? '';
  assert.match(line(eu()), /\(eu-west\): \d+(\.\d+)? ?ms ✅ \(closest\)/);
  assert.match(line(us()), /\(us-east\): \d/);
  assert.match(line(asia()), /\(asia-east\): \d/);
  assert.not.match(line(us()), /closest/);
  assert.ok(r.stdout.includes(`Using: ${hostOf(eu())}`), r.stdout);
  assert.match(r.stdout, /orchestrator\.vibe-agency\.com\.steward-registry\.org/);
  assert.is(r.stderr, '');
  // remembered for the next command, closest first
  const saved = JSON.parse(readFileSync(join(cache, 'steward', 'geo.json'), 'utf8'));
  assert.equal(saved[us().url].urls, [eu().url, us().url, asia().url]);
});

test('discover --geo-aware uses the remembered choice without probing again', async () => {
  const r = await steward(['discover', 'orchestrate_sdlc', '--registry', us().url, '--geo-aware', '--scope', 'local'], { env });
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stdout, /Measuring latency/);
  assert.ok(r.stdout.includes(`Using: ${hostOf(eu())} (closest when measured`), r.stdout);
});

test('with the closest stopped, the next call answers from the 150 ms replica, no error', async () => {
  const euHost = hostOf(eu());
  await eu().close();
  const r = await steward(['resolve', 'orchestrator', '--registry', us().url, '--geo-aware'], { env });
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /error/i, 'a warning that it failed over, no error');
  assert.match(r.stderr, /^warning: .* failing over to /m);
  assert.ok(r.stdout.includes(`Using: ${hostOf(us())}`), r.stdout);
  assert.match(r.stdout, /orchestrator\.vibe-agency\.com\.steward-registry\.org/);

  // the stale choice is dropped: the next call measures again, the stopped one unreachable
  const fresh = await steward(['resolve', 'orchestrator', '--registry', us().url, '--geo-aware'], { env });
  assert.is(fresh.code, 0, fresh.stderr);
  assert.is(fresh.stderr, '');
  assert.match(fresh.stdout, new RegExp(`- ${euHost.replace(/\./g, '\\.')} \\(eu-west\\): unreachable`));
  assert.match(fresh.stdout, new RegExp(`- ${hostOf(us()).replace(/\./g, '\\.')} \\(us-east\\): [\\d.]+ ?ms ✅ \\(closest\\)`));
  assert.ok(fresh.stdout.includes(`Using: ${hostOf(us())}`), fresh.stdout);
});

test.run();

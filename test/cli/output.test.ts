// What the user reads: the seed's escalation lines and table, dig-style answers and
// traces, --json passing the API through, and --geo-aware picking and failing over.
// The registries here are small fixture servers with canned answers, so every shape
// (odd trace steps, a timed-out sibling, a failing replica) can be produced on purpose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closedPort, fixtureServer, json, stewardInProcess } from './helpers.js';

delete process.env.STEWARD_REGISTRY;
const ROOT = 'steward-registry.org';

const agent = (name: string, ns: string, registry: string, trust: number, latency: number) => ({
  id: `${name}.${ns}.${ROOT}`, name, namespace: ns, registry, version: '1.0.0', capabilities: ['orchestrate_sdlc'], trust, latency_ms: latency,
});

const HIERARCHY = {
  query: 'orchestrate_sdlc',
  scope: 'hierarchy',
  results: [
    agent('vibe-agency-orchestrator', 'vibe-agency.com', `com.${ROOT}`, 0.94, 25),
    agent('acme-sdlc-bot', 'acme-corp.com', `com.${ROOT}`, 0.87, 30),
  ],
  registries: [
    { zone: `vibe-agency.com.${ROOT}`, url: null, count: 0, latency_ms: 1, status: 'ok', role: 'local' },
    { zone: `com.${ROOT}`, url: 'http://127.0.0.1:7310', count: 2, latency_ms: 25, status: 'ok', role: 'parent' },
  ],
};

test('discover: escalation lines, then the table, and the query as asked', async () => {
  let asked: URLSearchParams | undefined;
  const fx = await fixtureServer((req, res) => {
    asked = new URL(req.url!, 'http://x').searchParams;
    json(res, 200, HIERARCHY);
  });
  try {
    const r = await stewardInProcess(['discover', 'orchestrate_sdlc', '--registry', fx.url, '--sort', 'latency', '--limit', '5']);
    assert.is(r.code, 0, r.stderr);
    assert.is(asked?.get('q'), 'orchestrate_sdlc');
    assert.is(asked?.get('sort'), 'latency');
    assert.is(asked?.get('limit'), '5');
    assert.is(asked?.get('scope'), null, 'the registry default (hierarchy) applies');
    const lines = r.stdout.split('\n');
    assert.is(lines[0], `Local Registry (vibe-agency.com.${ROOT}): No results`);
    assert.is(lines[1], `Parent Registry (com.${ROOT}): 2 results found`);
    assert.is(lines[3], 'Found 2 agents across 2 registries:');
    assert.match(lines[4], /^┌─+┬─+┬─+┬─+┐$/);
    assert.match(lines[5], /^│ Agent ID +│ Registry │ Trust │ Latency │$/);
    assert.match(lines[7], /^│ vibe-agency-orchestrator\.vibe-agency\.com │ com +│ 0\.94 +│ 25ms +│$/);
    assert.match(lines[8], /^│ acme-sdlc-bot\.acme-corp\.com +│ com +│ 0\.87 +│ 30ms +│$/);
    assert.match(lines[9], /^└─+┴─+┴─+┴─+┘$/);
    assert.match(r.stdout, /Sorted by latency/);
    // Every table line is the same width.
    assert.is(new Set(lines.slice(4, 10).map((l) => l.length)).size, 1);
  } finally {
    await fx.close();
  }
});

test('discover --federated: scope sent, failed registries said plainly, (local) marked, ids kept unique', async () => {
  let scope: string | null = null;
  const fx = await fixtureServer((req, res) => {
    scope = new URL(req.url!, 'http://x').searchParams.get('scope');
    json(res, 200, {
      query: 'orchestrate_sdlc',
      results: [
        agent('vibe-agency-orchestrator', 'vibe-agency.com', `vibe-agency.com.${ROOT}`, 0.94, 2),
        agent('vibe-agency-orchestrator', 'user.github', ROOT, 0.65, 40),
      ],
      registries: [
        { zone: `vibe-agency.com.${ROOT}`, url: null, count: 1, latency_ms: 2, status: 'ok', role: 'local' },
        { zone: `com.${ROOT}`, url: 'http://a', count: 1, latency_ms: 20, status: 'ok', role: 'parent' },
        { zone: ROOT, url: 'http://b', count: 2, latency_ms: 40, status: 'ok', role: 'root' },
        { zone: `org.${ROOT}`, url: 'http://c', count: 0, latency_ms: 2000, status: 'timeout', role: 'sibling', error: 'timed out after 2000 ms' },
      ],
    });
  });
  try {
    const r = await stewardInProcess(['discover', 'orchestrate_sdlc', '--federated', '--registry', fx.url]);
    assert.is(r.code, 0, r.stderr);
    assert.is(scope, 'federated');
    assert.match(r.stdout, new RegExp(`^Local Registry \\(vibe-agency\\.com\\.${ROOT}\\): 1 result found$`, 'm'));
    assert.match(r.stdout, new RegExp(`^Root Registry \\(${ROOT}\\): 2 results found$`, 'm'));
    assert.match(r.stdout, new RegExp(`^Sibling Registry \\(org\\.${ROOT}\\): timeout \\(timed out after 2000 ms\\)$`, 'm'));
    assert.match(r.stdout, /Found 2 agents across 3 registries:/);
    assert.match(r.stdout, /│ vibe-agency-orchestrator\.vibe-agency\.com │ vibe-agency\.com │ 0\.94 +│ 2ms \(local\) │/);
    assert.match(r.stdout, /│ vibe-agency-orchestrator\.user\.github +│ root +│ 0\.65 +│ 40ms +│/);
  } finally {
    await fx.close();
  }
});

test('discover: no results is exit 1; --json passes the API answer through untouched', async () => {
  const empty = { query: 'nothing', scope: 'hierarchy', results: [], registries: [{ zone: ROOT, url: null, count: 0, latency_ms: 1, status: 'ok', role: 'local' }] };
  const fx = await fixtureServer((req, res) => json(res, 200, req.url!.includes('q=nothing') ? empty : HIERARCHY));
  try {
    const [none, noneJson, some] = await Promise.all([
      stewardInProcess(['discover', 'nothing', '--registry', fx.url]),
      stewardInProcess(['discover', 'nothing', '--registry', fx.url, '--json']),
      stewardInProcess(['discover', 'orchestrate_sdlc', '--registry', fx.url, '--json']),
    ]);
    assert.is(none.code, 1);
    assert.match(none.stdout, new RegExp(`Local Registry \\(${ROOT}\\): No results`));
    assert.match(none.stdout, /No agents found for "nothing" across 1 registry\./);
    assert.is(noneJson.code, 1);
    assert.equal(JSON.parse(noneJson.stdout), empty);
    assert.is(some.code, 0);
    assert.equal(JSON.parse(some.stdout), HIERARCHY);
  } finally {
    await fx.close();
  }
});

const RECORD = {
  id: `vibe-agency-orchestrator.vibe-agency.com.${ROOT}`, name: 'vibe-agency-orchestrator', namespace: 'vibe-agency.com',
  zone: `vibe-agency.com.${ROOT}`, version: '1.2.0', description: 'Plans and runs a software delivery lifecycle',
  capabilities: ['orchestrate_sdlc', 'planning'], visibility: 'public', trust: 0.94, fingerprint: 'abc',
  endpoints: [{ url: 'https://agents.vibe-agency.com/orchestrator', protocol: 'a2a', region: 'eu-west' }],
};

test('resolve: the record dig-style; --trace prints whatever steps come back; NXDOMAIN is exit 1', async () => {
  const seen: string[] = [];
  const fx = await fixtureServer((req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams;
    seen.push(q.toString());
    const name = q.get('name')!;
    if (name.startsWith('ghost')) {
      return json(res, 404, { status: 'NXDOMAIN', name, zone: `vibe-agency.com.${ROOT}`, ttl: 60 });
    }
    if (q.get('rd') === '0') {
      return json(res, 200, { status: 'REFERRAL', name, referral: { zone: `com.${ROOT}`, endpoints: [{ url: 'http://127.0.0.1:7310', region: 'us-east' }], ttl: 3600 } });
    }
    const trace = q.get('trace') === '1'
      ? [
          { zone: ROOT, server: 'http://127.0.0.1:7300', status: 'REFERRAL', referral: { zone: `com.${ROOT}` }, ms: 3.2 },
          { zone: `com.${ROOT}`, status: 'REFERRAL', referral: `vibe-agency.com.${ROOT}`, cache: true, ms: 0.1 },
          { zone: `vibe-agency.com.${ROOT}`, server: 'http://127.0.0.1:7311', status: 'NOERROR', cache: 'stale' },
          { kind: 'query', zone: `vibe-agency.com.${ROOT}`, outcome: 'FAILED', endpoint: 'http://127.0.0.1:7312', rtt_ms: 2000, error: 'timeout' },
          { kind: 'stale', zone: `vibe-agency.com.${ROOT}`, outcome: 'NOERROR', ttl: 30 },
          'an odd step \u001b[2J',
          null,
        ]
      : undefined;
    json(res, 200, { status: 'NOERROR', name: RECORD.id, answer: RECORD, ttl: 300, source: 'cache', zone: RECORD.zone, path: [ROOT, `com.${ROOT}`, RECORD.zone], trace });
  });
  try {
    const [plain, traced, ghost, ghostJson, referral] = await Promise.all([
      stewardInProcess(['resolve', 'Vibe-Agency-Orchestrator.vibe-agency.com.', '--registry', fx.url]),
      stewardInProcess(['resolve', 'vibe-agency-orchestrator.vibe-agency.com', '--registry', fx.url, '--trace']),
      stewardInProcess(['resolve', 'ghost', '--registry', fx.url]),
      stewardInProcess(['resolve', 'ghost', '--registry', fx.url, '--json']),
      stewardInProcess(['resolve', 'x.acme-corp.com', '--registry', fx.url, '--no-recurse']),
    ]);
    assert.ok(seen.includes('name=vibe-agency-orchestrator.vibe-agency.com'), 'name normalised before sending');
    assert.is(plain.code, 0, plain.stderr);
    const lines = plain.stdout.split('\n');
    assert.is(lines[0], RECORD.id);
    assert.match(plain.stdout, /^ {2}version: +1\.2\.0$/m);
    assert.match(plain.stdout, /^ {2}endpoints: +https:\/\/agents\.vibe-agency\.com\/orchestrator \(a2a, eu-west\)\n {2}capabilities: /m);
    assert.match(plain.stdout, /^ {2}trust: +0\.94$/m);
    assert.match(plain.stdout, new RegExp(`^  zone: +vibe-agency\\.com\\.${ROOT}$`, 'm'));
    assert.match(plain.stdout, /^ {2}source: +cache, ttl 300s$/m);
    assert.match(plain.stdout, new RegExp(`^  path: +${ROOT} → com\\.${ROOT} → vibe-agency\\.com\\.${ROOT}$`, 'm'));
    assert.not.match(plain.stdout, /;; trace/);

    assert.is(traced.code, 0, traced.stderr);
    assert.ok(seen.includes('name=vibe-agency-orchestrator.vibe-agency.com&trace=1'));
    const t = traced.stdout.split('\n').filter((l) => l.startsWith(';;'));
    assert.is(t[0], `;; trace for vibe-agency-orchestrator.vibe-agency.com`);
    assert.match(t[1], new RegExp(`^;; 1\\. +${ROOT} +@http://127\\.0\\.0\\.1:7300 +REFERRAL +→ com\\.${ROOT} +3\\.2ms$`));
    assert.match(t[2], new RegExp(`^;; 2\\. +com\\.${ROOT} +\\(cache\\) +REFERRAL +→ vibe-agency\\.com\\.${ROOT} +0\\.1ms$`));
    assert.match(t[3], /^;; 3\. .*@http:\/\/127\.0\.0\.1:7311 +NOERROR +- +cache:stale$/);
    assert.match(t[4], /^;; 4\. .*@http:\/\/127\.0\.0\.1:7312 +FAILED +2000ms +\(timeout\)$/);
    assert.match(t[5], /^;; 5\. .*\(stale\) +NOERROR +- +ttl 30s$/);
    assert.match(t[6], /^;; 6\. +an odd step \?\[2J$/);
    assert.match(t[7], /^;; 7\./);
    assert.not.match(traced.stdout, /\u001b/);
    assert.match(traced.stdout, new RegExp(`^${RECORD.id.replace(/\./g, '\\.')}$`, 'm'));

    assert.is(ghost.code, 1);
    assert.is(ghost.stdout, `ghost: NXDOMAIN (no such agent; denied by vibe-agency.com.${ROOT}, negative ttl 60s)\n`);
    assert.is(ghostJson.code, 1);
    assert.is(JSON.parse(ghostJson.stdout).status, 'NXDOMAIN');

    assert.is(referral.code, 0, referral.stderr);
    assert.ok(seen.includes('name=x.acme-corp.com&rd=0'));
    assert.match(referral.stdout, new RegExp(`^x\\.acme-corp\\.com: REFERRAL to com\\.${ROOT}$`, 'm'));
    assert.match(referral.stdout, /endpoints: +http:\/\/127\.0\.0\.1:7310 \(us-east\)/);
  } finally {
    await fx.close();
  }
});

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('--geo-aware: measures every replica, uses the closest, fails over to the next', async () => {
  const hits: string[] = [];
  const dead = await closedPort();
  const replica = (name: string, healthDelay: number, discoverStatus: number) =>
    fixtureServer(async (req, res) => {
      if (req.url === '/healthz') {
        await delay(healthDelay);
        return json(res, 200, { status: 'ok' });
      }
      if (req.url!.startsWith('/v1/discover')) {
        hits.push(name);
        if (discoverStatus !== 200) return json(res, discoverStatus, { title: 'Unavailable', detail: `${name} is draining`, code: 'SERVFAIL' }, 'application/problem+json');
        return json(res, 200, { ...HIERARCHY, answeredBy: name });
      }
      json(res, 404, { title: 'Not found', detail: req.url, code: 'NOT_FOUND' });
    });
  const fast = await replica('fast', 0, 503); // closest, but failing
  const far = await replica('far', 400, 200);
  let primaryUrl = '';
  const primary = await fixtureServer(async (req, res) => {
    if (req.url === '/v1/zone') {
      return json(res, 200, {
        zone: `com.${ROOT}`, region: 'us-east',
        replicas: [
          { url: primaryUrl, region: 'us-east' },
          { url: far.url, region: 'ap-south' },
          { url: `http://127.0.0.1:${dead}`, region: 'au' },
          { url: fast.url + '/', region: 'eu-west' },
          { url: 'not a url' },
        ],
      });
    }
    if (req.url === '/healthz') {
      await delay(150);
      return json(res, 200, { status: 'ok' });
    }
    hits.push('primary');
    json(res, 200, { ...HIERARCHY, answeredBy: 'primary' });
  });
  primaryUrl = primary.url;
  try {
    const r = await stewardInProcess(['discover', 'orchestrate_sdlc', '--geo-aware', '--registry', primary.url, '--json']);
    assert.is(r.code, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).answeredBy, 'primary', 'stdout is only the JSON of the registry that answered');
    assert.equal(hits, ['fast', 'primary']);
    const err = r.stderr;
    const host = (u: string) => new URL(u).host.replace(/\./g, '\\.');
    assert.match(err, /^Measuring latency\.\.\.$/m);
    assert.match(err, new RegExp(`^  - ${host(fast.url)} \\(eu-west\\): [\\d.]+ms ✅ \\(closest\\)$`, 'm'));
    assert.match(err, new RegExp(`^  - ${host(primary.url)} \\(us-east\\): \\d+ms$`, 'm'));
    assert.match(err, new RegExp(`^  - ${host(far.url)} \\(ap-south\\): \\d+ms$`, 'm'));
    assert.match(err, new RegExp(`^  - 127\\.0\\.0\\.1:${dead} \\(au\\): unreachable \\(.*connection refused\\)$`, 'm'));
    assert.is(err.split('\n').filter((l) => l.startsWith('  - ')).length, 4, 'duplicates and bad URLs dropped');
    assert.match(err, new RegExp(`^Using: ${host(fast.url)}$`, 'm'));
    assert.match(err, new RegExp(`^warning: ${fast.url.replace(/\./g, '\\.')} failed: fast is draining; failing over to ${primary.url.replace(/\./g, '\\.')}$`, 'm'));

    // Human mode prints the same block on stdout, before the results.
    hits.length = 0;
    const h = await stewardInProcess(['discover', 'orchestrate_sdlc', '--geo-aware', '--registry', primary.url]);
    assert.is(h.code, 0, h.stderr);
    assert.match(h.stdout, /^Measuring latency\.\.\.\n/);
    assert.match(h.stdout, /Using: .*\n\nLocal Registry/);
  } finally {
    await Promise.all([fast.close(), far.close(), primary.close()]);
  }
});

test('--geo-aware with no replica answering is exit 3', async () => {
  const dead = await closedPort();
  const primary = await fixtureServer((req, res) => {
    if (req.url === '/v1/zone') return json(res, 200, { zone: ROOT, replicas: [{ url: `http://127.0.0.1:${dead}` }] });
    json(res, 500, { title: 'Internal error', detail: 'sick', code: 'INTERNAL' }, 'application/problem+json');
  });
  try {
    const r = await stewardInProcess(['discover', 'x', '--geo-aware', '--registry', primary.url]);
    assert.is(r.code, 3, r.stderr);
    assert.match(r.stdout, /unreachable \(HTTP 500\)/);
    assert.match(r.stderr, /none of the 2 replicas of steward-registry\.org answered \(SERVFAIL\)/);
  } finally {
    await primary.close();
  }
});

test.run();

// Choosing among a zone's endpoints: SRTT preference, hold-down of dead ones, timeouts,
// lame answers. Real HTTP servers on port 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StewardError } from '../../src/errors/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { Upstream, type Attempt } from '../../src/resolver/upstream.js';
import { ROOT, startTree, type Tree } from './tree.js';

const NAME = `a.${ROOT}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withTree(fn: (t: Tree) => Promise<void>) {
  const tree = await startTree({ ns: '', agents: ['a'], servers: 2 });
  try {
    await fn(tree);
  } finally {
    await tree.close();
  }
}

test('the faster of two endpoints gets most questions; the slower is still measured', () =>
  withTree(async (tree) => {
    const [slow, fast] = tree.zone('').servers;
    slow.delayMs = 40;
    const up = new Upstream({ exploreRate: 0.05 });
    for (let i = 0; i < 100; i++) {
      const r = await up.ask(ROOT, tree.zone('').endpoints, NAME);
      assert.is(r.answer.status, 'NOERROR');
    }
    await up.close();
    assert.ok(fast.requests >= 85, `fast got ${fast.requests} of 100`);
    assert.ok(slow.requests >= 1, 'slow endpoint was tried');
    console.log(`    SRTT choice: fast ${fast.requests}, slow (40 ms) ${slow.requests} of 100`);
  }));

test('an endpoint that keeps failing is held down and no longer asked', () =>
  withTree(async (tree) => {
    const [dead, live] = tree.zone('').servers;
    await dead.stop();
    const up = new Upstream({ failuresBeforeHoldDown: 3, holdDownMs: 60_000, exploreRate: 0.2 });
    const attempts: Attempt[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await up.ask(ROOT, tree.zone('').endpoints, NAME, (a) => attempts.push(a));
      assert.is(r.endpoint, live.url);
    }
    const toDead = attempts.filter((a) => a.endpoint === dead.url);
    assert.ok(toDead.length <= 3, `dead endpoint asked ${toDead.length} times`);
    assert.ok(toDead.every((a) => a.error), 'every attempt to it failed');
    assert.is(up.endpointStats()[dead.url].heldDown, true);
    assert.is(live.requests, 50);
    await up.close();
  }));

test('after the hold-down an endpoint is asked again', () =>
  withTree(async (tree) => {
    const [a, b] = tree.zone('').servers;
    a.mode = 'error';
    const up = new Upstream({ failuresBeforeHoldDown: 2, holdDownMs: 200, exploreRate: 0 });
    // Asked alone, so SRTT cannot steer around it: two failures in a row hold it down.
    for (let i = 0; i < 2; i++) await up.ask(ROOT, [{ url: a.url }], NAME).catch(() => undefined);
    assert.is(up.endpointStats()[a.url].heldDown, true);
    a.mode = 'ok';
    await sleep(250);
    assert.is(up.endpointStats()[a.url].heldDown, false);
    b.mode = 'error';
    const r = await up.ask(ROOT, tree.zone('').endpoints, NAME);
    assert.is(r.endpoint, a.url);
    await up.close();
  }));

test('when every endpoint is held down the zone is still tried (last resort)', () =>
  withTree(async (tree) => {
    const servers = tree.zone('').servers;
    for (const s of servers) s.mode = 'error';
    const up = new Upstream({ failuresBeforeHoldDown: 1, holdDownMs: 60_000 });
    await up.ask(ROOT, tree.zone('').endpoints, NAME).catch(() => undefined);
    servers[1].mode = 'ok';
    const r = await up.ask(ROOT, tree.zone('').endpoints, NAME);
    assert.is(r.answer.status, 'NOERROR');
    await up.close();
  }));

test('a hung endpoint times out and the next one answers', () =>
  withTree(async (tree) => {
    const [hung, ok] = tree.zone('').servers;
    hung.mode = 'hang';
    const up = new Upstream({ timeoutMs: 150, exploreRate: 0 });
    const attempts: Attempt[] = [];
    const started = Date.now();
    // First question: both unmeasured, order by SRTT 0 — make sure the hung one is asked.
    const r = await up.ask(ROOT, [{ url: hung.url }, { url: ok.url }], NAME, (a) => attempts.push(a));
    assert.is(r.endpoint, ok.url);
    if (attempts[0].endpoint === hung.url) {
      assert.ok(attempts[0].timedOut);
      assert.ok(Date.now() - started >= 140);
    }
    await up.close();
  }));

test('all endpoints failing: SERVFAIL (502); all timing out: UPSTREAM_TIMEOUT (504)', () =>
  withTree(async (tree) => {
    const servers = tree.zone('').servers;
    const up = new Upstream({ timeoutMs: 150 });
    for (const s of servers) s.mode = 'error';
    const e1 = await up.ask(ROOT, tree.zone('').endpoints, NAME).catch((e) => e);
    assert.instance(e1, StewardError);
    assert.is(e1.code, 'SERVFAIL');
    assert.is(e1.status, 502);
    assert.match(e1.message, servers[0].url);
    for (const s of servers) s.mode = 'hang';
    const up2 = new Upstream({ timeoutMs: 150 });
    const e2 = await up2.ask(ROOT, tree.zone('').endpoints, NAME).catch((e) => e);
    assert.is(e2.code, 'UPSTREAM_TIMEOUT');
    assert.is(e2.status, 504);
    await up.close();
    await up2.close();
  }));

test('an answer from the wrong zone is lame: the next endpoint is asked', () =>
  withTree(async (tree) => {
    const [liar, honest] = tree.zone('').servers;
    liar.override = (name) => ({ status: 'NXDOMAIN', name, zone: 'elsewhere.steward-registry.org', ttl: 60 });
    const up = new Upstream({ exploreRate: 0 });
    const attempts: Attempt[] = [];
    const r = await up.ask(ROOT, [{ url: liar.url }, { url: honest.url }], NAME, (a) => attempts.push(a));
    assert.is(r.answer.status, 'NOERROR');
    assert.is(r.endpoint, honest.url);
    const lame = attempts.find((a) => a.endpoint === liar.url);
    if (lame) assert.match(lame.error!, 'lame');
    await up.close();
  }));

test('requests are counted in the metrics by zone and outcome', () =>
  withTree(async (tree) => {
    const metrics = createMetrics();
    const up = new Upstream({}, { metrics });
    await up.ask(ROOT, tree.zone('').endpoints, NAME);
    const text = await metrics.registry.metrics();
    assert.match(text, `steward_upstream_requests_total{zone="${ROOT}",outcome="ok"} 1`);
    assert.match(text, 'steward_upstream_duration_seconds_count');
    await up.close();
  }));

test('questions carry the resolver header naming the asking zone', () =>
  withTree(async (tree) => {
    const up = new Upstream({}, { identity: `me.${ROOT}` });
    await up.ask(ROOT, tree.zone('').endpoints, NAME);
    const asked = tree.zone('').servers.find((s) => s.requests > 0)!;
    assert.is(asked.lastAsker, `me.${ROOT}`);
    await up.close();
  }));

test.run();

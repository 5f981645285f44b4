// Our labelled counter and histogram expose, through a prom-client Registry, exactly what
// prom-client's own Counter and Histogram expose for the same calls (text and JSON), so
// swapping them in changed nothing a scraper sees; children keep counting into the series.
import { Counter, Histogram, Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LabelledCounter, LabelledHistogram } from '../../src/metrics/labelled.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Deterministic values across every bucket, on and off the bounds, and above the last. */
function values(n: number): number[] {
  let x = 12345;
  const out: number[] = [...BUCKETS, 0, 3, 1e-9];
  while (out.length < n) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push((x / 2 ** 31) ** 4 * 4);
  }
  return out;
}

const pair = () => ({ ours: new Registry(), theirs: new Registry() });

/** As serialised (prom-client leaves some keys undefined). */
const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

async function same(r: ReturnType<typeof pair>) {
  assert.fixture(await r.ours.metrics(), await r.theirs.metrics());
  assert.equal(json(await r.ours.getMetricsAsJSON()), json(await r.theirs.getMetricsAsJSON()));
}

test('histogram: the same exposition as prom-client for the same observations', async () => {
  const r = pair();
  const cfg = { name: 'q_seconds', help: 'Latency "of" \\ queries', labelNames: ['endpoint', 'status'] as const, buckets: BUCKETS };
  const ours = new LabelledHistogram({ ...cfg, registers: [r.ours] });
  const theirs = new Histogram({ ...cfg, labelNames: [...cfg.labelNames], registers: [r.theirs] });
  await same(r);
  const sets = [
    { endpoint: 'resolve', status: 'NOERROR' },
    { endpoint: 'resolve', status: 'NXDOMAIN' },
    { endpoint: 'discover', status: 'ok' },
  ];
  const noerror = ours.child(sets[0]!);
  values(500).forEach((v, i) => {
    const labels = sets[i % 3]!;
    if (i % 3 === 0) noerror.observe(v);
    else ours.observe(labels, v);
    theirs.observe(labels, v);
  });
  await same(r);
});

test('counter: the same exposition as prom-client for the same increments', async () => {
  const r = pair();
  const cfg = { name: 'hits_total', help: 'Cache hits', labelNames: ['kind'] as const };
  const ours = new LabelledCounter({ ...cfg, registers: [r.ours] });
  const theirs = new Counter({ ...cfg, labelNames: [...cfg.labelNames], registers: [r.theirs] });
  await same(r);
  const answer = ours.child({ kind: 'answer' });
  for (let i = 0; i < 50; i++) {
    answer.inc();
    theirs.inc({ kind: 'answer' });
    if (i % 7 === 0) {
      ours.inc({ kind: 'referral' }, 2);
      theirs.inc({ kind: 'referral' }, 2);
    }
  }
  await same(r);
});

test('a series appears with its first count; label order as declared; unknown labels refused', async () => {
  const registry = new Registry();
  const h = new LabelledHistogram({ name: 'h', help: 'h', labelNames: ['a', 'b'], buckets: [1], registers: [registry] });
  h.observe({ b: 'y', a: 'x' }, 0.5);
  assert.match(await registry.metrics(), 'h_bucket{le="1",a="x",b="y"} 1');
  assert.throws(() => h.observe({ a: 'x', b: 'y', c: 'z' } as never, 1), /no label c/);
  assert.throws(() => h.observe({ a: 'x', b: 'y' }, Number.NaN), /finite/);
  assert.throws(() => new LabelledHistogram({ name: 'bad', help: 'h', labelNames: [], buckets: [2, 1] }), /ascending/);
});

test('reset zeroes the series and children handed out before go on counting', async () => {
  const registry = new Registry();
  const c = new LabelledCounter({ name: 'c_total', help: 'c', labelNames: ['kind'], registers: [registry] });
  const h = new LabelledHistogram({ name: 'h', help: 'h', labelNames: ['kind'], buckets: [1], registers: [registry] });
  const cc = c.child({ kind: 'k' });
  const hc = h.child({ kind: 'k' });
  cc.inc(3);
  hc.observe(0.5);
  registry.resetMetrics();
  assert.match(await registry.metrics(), 'c_total{kind="k"} 0');
  assert.match(await registry.metrics(), 'h_count{kind="k"} 0');
  cc.inc();
  hc.observe(2);
  const text = await registry.metrics();
  assert.match(text, 'c_total{kind="k"} 1');
  assert.match(text, 'h_bucket{le="1",kind="k"} 0');
  assert.match(text, 'h_bucket{le="+Inf",kind="k"} 1');
  assert.match(text, 'h_sum{kind="k"} 2');
});

test.run();

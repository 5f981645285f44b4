// What counting costs on the warm resolve path, printed as one JSON object:
//   npx tsx scripts/bench-metrics.ts [--n 2000000]
// CPU ns per call of the two metrics the hot path counts into, for prom-client's own
// labelled Histogram/Counter children (labels() — each call still turns the labels into
// a key string, validates them and looks the series up) and for src/metrics/labelled.ts
// (child() hands back the series; a call is a few additions). With ~45 µs of CPU per warm
// answer (README), the difference is the share of throughput at stake; it is why those
// two metrics stay on labelled.ts while everything else is prom-client.
import { Counter, Histogram, Registry } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from '../src/metrics/labelled.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--n');
const N = i >= 0 ? Number(argv[i + 1]) : 2_000_000;
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const labels = { endpoint: 'resolve', status: 'NOERROR' };
const registers = [new Registry()];

const theirs = {
  histogram: new Histogram({ name: 'a', help: 'a', labelNames: ['endpoint', 'status'], buckets: BUCKETS, registers }).labels(labels),
  counter: new Counter({ name: 'b', help: 'b', labelNames: ['kind'], registers }).labels({ kind: 'answer' }),
};
const ours = {
  histogram: new LabelledHistogram({ name: 'c', help: 'c', labelNames: ['endpoint', 'status'], buckets: BUCKETS, registers }).child(labels),
  counter: new LabelledCounter({ name: 'd', help: 'd', labelNames: ['kind'], registers }).child({ kind: 'answer' }),
};

/** CPU ns per call (median of 5 runs). */
function ns(f: (i: number) => void): number {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const s = process.cpuUsage();
    for (let k = 0; k < N; k++) f(k);
    const u = process.cpuUsage(s);
    runs.push(((u.user + u.system) * 1000) / N);
  }
  return Math.round(runs.sort((a, b) => a - b)[2]! * 10) / 10;
}

const v = (k: number) => (k % 100) / 10_000;
const r = {
  prom_client_child: { histogram_observe_ns: ns((k) => theirs.histogram.observe(v(k))), counter_inc_ns: ns(() => theirs.counter.inc()) },
  labelled_child: { histogram_observe_ns: ns((k) => ours.histogram.observe(v(k))), counter_inc_ns: ns(() => ours.counter.inc()) },
};
const perAnswer = (x: { histogram_observe_ns: number; counter_inc_ns: number }) => x.histogram_observe_ns + x.counter_inc_ns;
console.log(JSON.stringify({
  bench: 'metrics', calls: N, ...r,
  share_of_45us_answer: { prom_client_child: +(perAnswer(r.prom_client_child) / 45_000).toFixed(4), labelled_child: +(perAnswer(r.labelled_child) / 45_000).toFixed(4) },
}, null, 2));

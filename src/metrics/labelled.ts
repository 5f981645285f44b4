// Labelled counters and histograms for the hot path. prom-client's turn the label object
// into a string key, validate it and look it up on every inc()/observe() (~0.1 µs for a
// counter, ~0.4 µs for a histogram, and a string built and internalised each time): on a
// warm resolve that was the largest piece of our own work after the bytes. Here a label
// set is looked up once — child() hands back its series to keep — and counting is a few
// additions. Both register in a prom-client Registry like any metric (it reads name, help,
// type, aggregator, get() and reset()) and expose the series prom-client's Counter and
// Histogram would for the same calls (test/metrics/labelled.test.ts compares them).
import type { Registry } from 'prom-client';
import { StewardError } from '../errors/index.js';

type Labels<L extends string> = Readonly<Record<L, string>>;

interface Exported {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { labels: Record<string, string | number>; value: number; metricName?: string; exemplar?: null }[];
}

interface Config<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers?: Registry[];
}

/** The series of one metric, by label values, in the order they were first counted into. */
abstract class Labelled<L extends string, S extends { readonly labels: Readonly<Record<string, string>> }> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  private readonly labelNames: readonly L[];
  private readonly series = new Map<string, S>();

  constructor({ name, help, labelNames, registers = [] }: Config<L>) {
    this.name = name;
    this.help = help;
    this.labelNames = [...labelNames];
    for (const r of registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  protected abstract create(labels: Readonly<Record<string, string>>): S;

  /** The series for one label set, to keep: counting into it needs no lookup. */
  protected find(labels: Labels<L>): S {
    for (const k in labels) {
      if (!this.labelNames.includes(k as L)) throw new StewardError('INTERNAL', `metric ${this.name} has no label ${k}`);
    }
    // (a label left out is not the same as an empty one)
    const key = this.labelNames.map((n) => (labels[n] === undefined ? '\u0001' : `=${labels[n]}`)).join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      // (in labelNames order, whatever order the caller wrote them in)
      const own: Record<string, string> = {};
      for (const n of this.labelNames) if (labels[n] !== undefined) own[n] = labels[n];
      s = this.create(own);
      this.series.set(key, s);
    }
    return s;
  }

  protected all(): IterableIterator<S> {
    return this.series.values();
  }

  protected abstract zero(s: S): void;

  /** Unlike prom-client's, keeps every series (at zero): children handed out go on counting. */
  reset(): void {
    for (const s of this.series.values()) this.zero(s);
  }
}

export interface CounterChild {
  inc(value?: number): void;
}

class CounterSeries implements CounterChild {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(value = 1): void {
    if (!(value >= 0) || !Number.isFinite(value)) throw new StewardError('INTERNAL', `counter increment must be a finite number >= 0: ${value}`);
    this.value += value;
  }
}

export class LabelledCounter<L extends string> extends Labelled<L, CounterSeries> {
  readonly type = 'counter' as const;

  protected create(labels: Readonly<Record<string, string>>) {
    return new CounterSeries(labels);
  }

  protected zero(s: CounterSeries) {
    s.value = 0;
  }

  child(labels: Labels<L>): CounterChild {
    return this.find(labels);
  }

  /** For callers off the hot path: the label set is looked up on every call. */
  inc(labels: Labels<L>, value = 1): void {
    this.find(labels).inc(value);
  }

  async get(): Promise<Exported> {
    const values = [...this.all()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export interface Observer {
  observe(value: number): void;
}

class HistogramSeries implements Observer {
  /** Observations per bucket (not cumulative); those above the last bound are only counted. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new StewardError('INTERNAL', `histogram value is not a finite number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class LabelledHistogram<L extends string> extends Labelled<L, HistogramSeries> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  /** `buckets`: upper bounds, ascending; `+Inf` is implied. */
  constructor(config: Config<L> & { buckets: readonly number[] }) {
    super(config);
    const b = config.buckets;
    if (b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= b[i - 1]!))) {
      throw new StewardError('INTERNAL', `histogram ${config.name}: buckets must be finite and ascending`);
    }
    this.bounds = [...b];
  }

  protected create(labels: Readonly<Record<string, string>>) {
    return new HistogramSeries(labels, this.bounds);
  }

  protected zero(s: HistogramSeries) {
    s.counts.fill(0);
    s.sum = 0;
    s.count = 0;
  }

  child(labels: Labels<L>): Observer {
    return this.find(labels);
  }

  /** For callers off the hot path: the label set is looked up on every call. */
  observe(labels: Labels<L>, value: number): void {
    this.find(labels).observe(value);
  }

  async get(): Promise<Exported> {
    const values: Exported['values'] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.all()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i]!;
        values.push({ labels: { le, ...s.labels }, value: acc, metricName: bucket, exemplar: null });
      });
      values.push(
        { labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucket, exemplar: null },
        { labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` },
        { labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

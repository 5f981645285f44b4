// Small statistics helpers shared by the bench-resolve parts.

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** Nearest-rank percentiles of latencies in ms (sorts a copy). */
export function percentiles(xs: ArrayLike<number>): Percentiles {
  const s = Float64Array.from(xs).sort();
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN);
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(s.length ? s[s.length - 1]! : NaN) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export { round };

// Small helpers for the bench: quantiles, memory, JSON lines from a big file in chunks.
import { open } from 'node:fs/promises';

export function quantiles(xs: number[], scale = 1, digits = 3) {
  const s = Float64Array.from(xs).sort();
  const q = (p: number) => Number((s[Math.min(s.length - 1, Math.floor(p * s.length))]! * scale).toFixed(digits));
  return { p50: q(0.5), p99: q(0.99), max: q(1 - 1e-12), n: s.length };
}

export function memory() {
  const m = process.memoryUsage();
  const mb = (b: number) => Math.round(b / 1e6);
  return { rss_mb: mb(m.rss), heap_used_mb: mb(m.heapUsed), heap_total_mb: mb(m.heapTotal), external_mb: mb(m.external) };
}

export const seconds = (fromMs: number) => Number(((performance.now() - fromMs) / 1000).toFixed(2));

/** Calls `onLine` for each line of `path`, reading 8 MB at a time (files here are > 1 GB). */
export async function forEachLine(path: string, onLine: (line: string) => void | Promise<void>): Promise<void> {
  const fh = await open(path, 'r');
  try {
    let rest = '';
    const buf = Buffer.allocUnsafe(8 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const text = rest + buf.toString('utf8', 0, bytesRead); // records are ASCII: no split characters
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) await onLine(line);
    }
    if (rest) await onLine(rest);
  } finally {
    await fh.close();
  }
}

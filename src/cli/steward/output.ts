// Human output helpers. Everything a registry sends is untrusted text on the user's
// terminal, so it goes through clean() first: a hostile zone must not be able to move
// the cursor or rewrite earlier lines with escape sequences.

export interface Io {
  out(line?: string): void;
  err(line?: string): void;
  /**
   * A transient status line (progress while registries answer), replaced by the next
   * call and erased by status(undefined). Only present when stderr is a terminal, so
   * piped or captured output never carries it.
   */
  status?(line: string | undefined): void;
}

export const stdio: Io = {
  out: (line = '') => void process.stdout.write(`${line}\n`),
  err: (line = '') => void process.stderr.write(`${line}\n`),
  ...(process.stderr.isTTY
    ? {
        status: (line: string | undefined) => {
          const width = Math.max(20, (process.stderr.columns || 80) - 1);
          process.stderr.write(`\r\u001b[2K${line === undefined ? '' : line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
        },
      }
    : {}),
};

// C0 and C1 control characters (ESC, CSI, BEL, CR...) and the Unicode bidi overrides.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function clean(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return s.replace(CONTROL, '?');
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function fmtMs(ms: unknown): string {
  const n = num(ms);
  if (n === undefined) return '-';
  return n < 10 ? `${Math.round(n * 10) / 10}ms` : `${Math.round(n)}ms`;
}

export function fmtTrust(trust: unknown): string {
  const n = num(trust);
  return n === undefined ? '-' : n.toFixed(2);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Label/value lines with the values lined up; a value may hold several lines. */
export function fields(rows: Array<[string, string | undefined]>, indent = '  '): string[] {
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length + 1));
  // A multi-line value (several endpoints) continues under its first line.
  const pad = `\n${indent}${' '.repeat(width)}  `;
  return shown.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)}  ${v.split('\n').join(pad)}`);
}

/** A box-drawn table, as in the seed's federated search output. */
export function boxTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const row = (cells: string[]) => `│${widths.map((w, i) => ` ${(cells[i] ?? '').padEnd(w)} `).join('│')}│`;
  return [line('┌', '┬', '┐'), row(headers), line('├', '┼', '┤'), ...rows.map(row), line('└', '┴', '┘')];
}

/** Plain aligned columns (no box), for trace steps. */
export function columns(rows: string[][], gap = '  '): string[] {
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join(gap).trimEnd());
}

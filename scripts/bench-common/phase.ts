// Benchmarks that cannot hang: every phase runs under a deadline and says on stderr when
// it starts, how it is getting on (every `progressMs`, if the phase reports progress) and
// when it ends. A phase past its deadline rejects with an error naming it, so the run
// ends (exit 1) instead of sitting at 0% CPU forever.

export class PhaseTimeout extends Error {
  constructor(readonly phase: string, readonly ms: number, detail = '') {
    super(`phase "${phase}" did not finish within ${Math.round(ms / 1000)} s${detail ? ` (${detail})` : ''}`);
  }
}

let prefix = 'bench';
export function benchName(name: string) {
  prefix = name;
}

export const progress = (msg: string) => process.stderr.write(`[${prefix}] ${msg}\n`);

/**
 * Runs `fn` as the phase `name`, rejecting with PhaseTimeout after `ms`. `fn` may pass a
 * status function: its text is printed every `progressMs` while the phase runs.
 */
export async function withDeadline<T>(
  name: string,
  ms: number,
  fn: (status: (text: () => string) => void) => Promise<T>,
  progressMs = 10_000,
): Promise<T> {
  const started = performance.now();
  progress(`${name}: start (deadline ${Math.round(ms / 1000)} s)`);
  let statusText: (() => string) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const ticker = setInterval(() => {
    const s = Math.round((performance.now() - started) / 1000);
    progress(`${name}: ${s} s${statusText ? `, ${statusText()}` : ''}`);
  }, progressMs);
  ticker.unref();
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PhaseTimeout(name, ms, statusText?.())), ms);
  });
  try {
    const r = await Promise.race([fn((t) => (statusText = t)), late]);
    progress(`${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return r;
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
  }
}

/** For main(): prints the error (a PhaseTimeout names the phase) and exits 1 without waiting on stuck work. */
export function exitOnFailure(err: unknown): never {
  process.stderr.write(`[${prefix}] FAILED: ${err instanceof Error ? (err instanceof PhaseTimeout ? err.message : err.stack) : String(err)}\n`);
  process.exit(1);
}

/** Child processes to kill when the run ends, however it ends (a stuck phase included). */
const children = new Set<import('node:child_process').ChildProcess>();
export function track(child: import('node:child_process').ChildProcess) {
  children.add(child);
  child.once('exit', () => children.delete(child));
}
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && !c.signalCode) c.kill('SIGKILL');
});

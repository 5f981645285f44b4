// From a failure to what the user sees: one stderr line and an exit code.
//   0 found/ok, 1 not found / no results / refused, 2 usage or bad input,
//   3 upstream or network failure (refused connection, timeout, 5xx).
import { StewardError } from '../../errors/index.js';
import { clean, type Io } from './output.js';

export const EXIT = { OK: 0, NOT_FOUND: 1, USAGE: 2, UPSTREAM: 3 } as const;

// Statuses that say the input itself is malformed; the same command would fail anywhere.
const BAD_INPUT = new Set([400, 413, 415]);

export function exitCodeFor(err: StewardError): number {
  if (err.status >= 500) return EXIT.UPSTREAM;
  if (BAD_INPUT.has(err.status)) return EXIT.USAGE;
  return EXIT.NOT_FOUND; // 404, and refusals such as 409 or 422: the thing asked for did not happen
}

/** The server's list of problems (SCHEMA_VIOLATION `errors`) when it has more than one. */
function problemList(err: StewardError): string[] | undefined {
  const problem = err.extra.problem as { errors?: unknown } | undefined;
  const errors = problem?.errors ?? err.extra.errors;
  if (!Array.isArray(errors) || errors.length < 2) return undefined;
  return errors.slice(0, 50).filter((e): e is string => typeof e === 'string');
}

/** Prints `error: <title>: <detail> (<code>)` and returns the exit code. */
export function report(err: unknown, io: Io): number {
  if (err instanceof StewardError) {
    if (err.extra.usage) {
      io.err(`error: usage: ${clean(err.message)}`);
      return EXIT.USAGE;
    }
    const title = typeof err.extra.shownTitle === 'string' ? err.extra.shownTitle : err.title;
    const list = problemList(err);
    if (list) {
      // Every schema problem on its own line, so a publisher fixes them all in one go.
      io.err(`error: ${clean(title)}: ${clean(err.message.split(': ')[0]!)} (${clean(err.code)})`);
      for (const p of list) io.err(`  - ${clean(p)}`);
      return exitCodeFor(err);
    }
    io.err(`error: ${clean(title)}: ${clean(err.message)} (${clean(err.code)})`);
    return exitCodeFor(err);
  }
  // A bug in the client, not the user's fault; say so plainly rather than dump a trace.
  io.err(`error: unexpected failure in steward: ${clean(err instanceof Error ? err.stack ?? err.message : String(err))}`);
  return EXIT.NOT_FOUND;
}

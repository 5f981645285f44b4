// One JSON line per request (method, path, status, latency), in pino's line format and
// into the logger's own stream (same order, same destination as its other lines), but
// without pino's per-call machinery: the line is one template string. An answer the
// handler ended synchronously (the warm resolve fast path) is logged right there, with
// no listener; any other is logged on 'finish'. With the CLI the stream is pino's
// asynchronous destination (common.ts requestDestination()), which batches the writes,
// so no answer waits on a write. Measured by `scripts/bench-resolve --request-log`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Runs `next` for the request and writes its line once the answer is complete. */
export type AccessLog = (req: IncomingMessage, res: ServerResponse, next: Handler) => void;

// A request target is bounded by the listener's header limits; a log line need not hold all of it.
const MAX_PATH = 512;
const INFO = 30;

/** The per-request hook, or undefined when `log` would drop info lines (tests, LOG_LEVEL=warn). */
export function accessLog(log: Logger | undefined): AccessLog | undefined {
  if (!log || !log.isLevelEnabled('info')) return undefined;
  const stream = (log as unknown as Record<symbol, { write(s: string): unknown }>)[pino.symbols.streamSym];
  if (!stream) return undefined;
  // The logger's bindings (a child's zone, say), as pino would put them after level and time.
  const bound = JSON.stringify(log.bindings());
  const bindings = bound.length > 2 ? `,${bound.slice(1, -1)}` : '';
  const write = (req: IncomingMessage, res: ServerResponse, started: number) => {
    const url = req.url ?? '';
    const path = url.length > MAX_PATH ? url.slice(0, MAX_PATH) : url;
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    stream.write(`{"level":${INFO},"time":${Date.now()}${bindings},"method":${JSON.stringify(req.method ?? '')},"path":${JSON.stringify(path)},"status":${res.statusCode},"ms":${ms},"msg":"request"}\n`);
  };
  return (req, res, next) => {
    const started = performance.now();
    next(req, res);
    if (res.writableEnded) write(req, res, started);
    else res.once('finish', () => write(req, res, started));
  };
}

// One JSON line per request (method, path, status, latency), in pino's line format and
// into the logger's own stream (same destination as its other lines), but without pino's
// per-call machinery: the line is one template string. An answer the handler ended
// synchronously (the warm resolve fast path) is logged right there, with no listener; any
// other is logged on 'finish'.
//
// Lines are buffered the way nginx's `access_log … buffer=16k flush=…` does: they collect
// in one string and go to the stream in chunks of about 16 KiB, or after FLUSH_MS,
// whichever comes first, and on close and at exit. Handing pino's destination (SonicBoom)
// one line at a time cost 15-18% of warm throughput: every write() measures the byte
// length of its pending chunk, which flattens a string of up to 16 KiB per request, and a
// small chunk means one threadpool write per few requests. Measured by
// `scripts/bench-resolve --request-log`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Runs `next` for the request and writes its line once the answer is complete. */
export interface AccessLog {
  (req: IncomingMessage, res: ServerResponse, next: Handler): void;
  /** Hands every buffered line to the stream now. */
  flush(): void;
  /** Flushes and stops watching for exit (the node closed). */
  close(): void;
}

// A request target is bounded by the listener's header limits; a log line need not hold all of it.
const MAX_PATH = 512;
const INFO = 30;
/** Buffered characters that trigger a write: SonicBoom's own write size (maxWrite 16 KiB). */
export const CHUNK_CHARS = 16_000;
/** The longest a line waits in the buffer. */
export const FLUSH_MS = 200;

interface Stream { write(s: string): unknown; flushSync?(): void }

// Every live buffer, so one 'exit' hook flushes them all (a process may run many nodes).
const live = new Set<() => void>();
let hooked = false;
function atExit(flush: () => void) {
  live.add(flush);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const f of live) f();
  });
}

/** The per-request hook, or undefined when `log` would drop info lines (tests, LOG_LEVEL=warn). */
export function accessLog(log: Logger | undefined): AccessLog | undefined {
  if (!log || !log.isLevelEnabled('info')) return undefined;
  const stream = (log as unknown as Record<symbol, Stream>)[pino.symbols.streamSym];
  if (!stream) return undefined;
  // The logger's bindings (a child's zone, say), as pino would put them after level and time.
  const bound = JSON.stringify(log.bindings());
  const bindings = bound.length > 2 ? `,${bound.slice(1, -1)}` : '';

  let buf = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!buf) return;
    const chunk = buf;
    buf = '';
    stream.write(chunk);
  };
  const write = (req: IncomingMessage, res: ServerResponse, started: number) => {
    const url = req.url ?? '';
    const path = url.length > MAX_PATH ? url.slice(0, MAX_PATH) : url;
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    buf += `{"level":${INFO},"time":${Date.now()}${bindings},"method":${JSON.stringify(req.method ?? '')},"path":${JSON.stringify(path)},"status":${res.statusCode},"ms":${ms},"msg":"request"}\n`;
    if (buf.length >= CHUNK_CHARS) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_MS).unref();
  };
  const atExitFlush = () => {
    flush();
    try {
      stream.flushSync?.();
    } catch {
      // (a destination not ready or already closed at exit: nothing more can be done)
    }
  };
  atExit(atExitFlush);
  const hook = ((req, res, next) => {
    const started = performance.now();
    next(req, res);
    if (res.writableEnded) write(req, res, started);
    else res.once('finish', () => write(req, res, started));
  }) as AccessLog;
  hook.flush = flush;
  hook.close = () => {
    flush();
    live.delete(atExitFlush);
  };
  return hook;
}

// One JSON line per request (method, path, status, latency), written when the response
// has finished, not while it is being answered: the fast path only gains one 'finish'
// listener (a shared function, no closure) and a start time on the response. The line
// goes through pino to an asynchronous destination (CLI: requestLogger()), so the write
// itself is batched off the request, never a synchronous write per answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export type AccessLog = (req: IncomingMessage, res: ServerResponse) => void;

const START = Symbol('steward.requestStart');
// A request target is bounded by the listener's header limits; a log line need not hold all of it.
const MAX_PATH = 512;

type Timed = ServerResponse & { [START]?: number };

/** The per-request hook, or undefined when `log` would drop info lines (tests, LOG_LEVEL=warn). */
export function accessLog(log: Logger | undefined): AccessLog | undefined {
  if (!log || !log.isLevelEnabled('info')) return undefined;
  function onFinish(this: Timed) {
    const req = this.req;
    const path = req.url ?? '';
    log!.info({
      method: req.method,
      path: path.length > MAX_PATH ? path.slice(0, MAX_PATH) : path,
      status: this.statusCode,
      ms: Math.round((performance.now() - this[START]!) * 1000) / 1000,
    }, 'request');
  }
  return (_req, res) => {
    (res as Timed)[START] = performance.now();
    res.on('finish', onFinish);
  };
}

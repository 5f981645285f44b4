// One request of the peer client (client.ts) as an undici dispatch handler, instead of
// undici's request(): no AbortController/AbortSignal, no body Readable and no async
// iterator per request — on a cold walk each hop paid for those (a profile of bench-resolve's
// cold walks put request()'s streams and signal at ~15% of the asking node's busy time).
// The bounds are the same: one overall deadline (a timer that aborts the exchange), a
// declared Content-Length over the cap refused before the body is read, and a body that
// grows past the cap cut off at once, never buffered.
import type { IncomingHttpHeaders } from 'node:http';
import { util, type Dispatcher } from 'undici';
import { StewardError } from '../errors/index.js';

export interface Exchanged {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What an exchange settles with; `fail` gets undici's error (or ours) untranslated. */
export interface ExchangeEnd {
  done(r: Exchanged): void;
  fail(err: unknown): void;
}

export class Exchange implements Dispatcher.DispatchHandler {
  private abortFn?: (err: Error) => void;
  private aborted?: Error;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private first?: Buffer;
  private chunks?: Buffer[];
  private size = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly origin: string,
    private readonly max: number,
    timeoutMs: number,
    private readonly end: ExchangeEnd,
    private readonly onSettled: (x: Exchange) => void,
  ) {
    this.timer = setTimeout(() => this.abort(new StewardError('UPSTREAM_TIMEOUT', `${origin} did not answer within ${timeoutMs} ms`)), timeoutMs);
  }

  /** Ends the exchange with `err` (the deadline, or the client closing). */
  abort(err: Error): void {
    if (this.settled) return;
    if (this.abortFn) this.abortFn(err); // (undici then calls onError with it)
    else {
      // Not on a socket yet (queued, connecting): settle now, abort when undici hands it one.
      this.aborted = err;
      this.settle(undefined, err);
    }
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.aborted) return abort(this.aborted);
    this.abortFn = abort;
  }

  onHeaders(status: number, raw: Buffer[]): boolean {
    if (status < 200) return true;
    this.status = status;
    this.headers = util.parseHeaders(raw) as IncomingHttpHeaders;
    if (Number(this.headers['content-length']) > this.max) {
      this.abort(this.tooLarge());
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.max) {
      this.abort(this.tooLarge());
      return false;
    }
    if (!this.first) this.first = chunk;
    else (this.chunks ??= [this.first]).push(chunk);
    return true;
  }

  onComplete(): void {
    const body = this.chunks ? Buffer.concat(this.chunks, this.size) : (this.first ?? Buffer.alloc(0));
    this.settle({ status: this.status, headers: this.headers, body });
  }

  onError(err: Error): void {
    this.settle(undefined, err);
  }

  onUpgrade(): void {
    this.settle(undefined, new StewardError('LAME_ANSWER', `${this.origin} answered with a protocol upgrade`));
  }

  private tooLarge(): StewardError {
    return new StewardError('LAME_ANSWER', `${this.origin} sent a body larger than ${this.max} bytes`);
  }

  private settle(r: Exchanged | undefined, err?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.first = this.chunks = undefined;
    this.onSettled(this);
    if (r) this.end.done(r);
    else this.end.fail(err);
  }
}

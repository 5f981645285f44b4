// Errors → application/problem+json (RFC 9457), in one place.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { StewardError, toProblem } from '../errors/index.js';

export const PROBLEM_TYPE = 'application/problem+json';

/** Errors that are the client's doing (or a known failure): answered, not logged as bugs. */
export const isExpectedError = (err: unknown) =>
  err instanceof StewardError || err instanceof HTTPException || err instanceof URIError;

/** The status and JSON text of the problem answering `err` (framework-free: the fast path uses it too). */
export function problemBody(err: unknown): { status: number; body: string } {
  let e = err;
  if (err instanceof HTTPException) {
    e = new StewardError(err.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', err.message || 'bad request', {}, err.status);
  } else if (err instanceof URIError) {
    e = new StewardError('BAD_REQUEST', `malformed percent-encoding in the request: ${err.message}`);
  }
  const problem = toProblem(e);
  return { status: problem.status, body: JSON.stringify(problem) };
}

export function problemResponse(err: unknown): Response {
  const { status, body } = problemBody(err);
  const headers: Record<string, string> = { 'content-type': PROBLEM_TYPE };
  // A rate limit says when to come back (RFC 9110 Retry-After, in seconds).
  const retry = err instanceof StewardError ? err.extra.retry_after : undefined;
  if (typeof retry === 'number') headers['retry-after'] = String(retry);
  return new Response(body, { status, headers });
}

/** node:http's error for a body the client stopped sending (it closed, or was cut off). */
export const isClientAbort = (err: unknown) =>
  err instanceof Error && (err as NodeJS.ErrnoException).code === 'ECONNRESET' && err.message === 'aborted';

/** `log` hears bugs; `quiet` hears requests that simply ended because the client went away. */
export function onError(log: (err: unknown) => void, quiet: (c: Context) => void = () => {}) {
  return (err: Error, c: Context) => {
    if (isClientAbort(err)) {
      quiet(c);
      return problemResponse(new StewardError('BAD_REQUEST', 'the client closed the connection before the request was complete'));
    }
    if (!isExpectedError(err)) log(err);
    return problemResponse(err);
  };
}

export const notFound = (c: Context) =>
  problemResponse(new StewardError('NOT_FOUND', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));

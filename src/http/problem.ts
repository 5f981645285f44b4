// Errors → application/problem+json (RFC 9457), in one place.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { StewardError, toProblem } from '../errors/index.js';

export function problemResponse(err: unknown): Response {
  let e = err;
  if (err instanceof HTTPException) {
    e = new StewardError(err.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', err.message || 'bad request', {}, err.status);
  } else if (err instanceof URIError) {
    e = new StewardError('BAD_REQUEST', `malformed percent-encoding in the request: ${err.message}`);
  }
  const problem = toProblem(e);
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

export function onError(log: (err: unknown) => void) {
  return (err: Error, _c: Context) => {
    if (!(err instanceof StewardError) && !(err instanceof HTTPException) && !(err instanceof URIError)) log(err);
    return problemResponse(err);
  };
}

export const notFound = (c: Context) =>
  problemResponse(new StewardError('NOT_FOUND', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`));

// The node's HTTP listener: raw node:http, the resolve fast path first, hono for the rest.
// It listens before the node is wired (so port 0 can be resolved first) and answers
// requests it cannot even parse with problem+json too, never with a bare socket error.
// A slow client is cut off (headers and the whole request each have a deadline; Node's
// own default lets a 1 byte/s body hold a connection for 300 s) and connections are
// capped, in all and per client, so a flood of idle sockets cannot starve the rest.
// Given TLS material (SPEC §5 mutual TLS) it serves HTTPS only and requires a client
// certificate chaining to the federation root: a client without one fails the handshake.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener, RequestError } from '@hono/node-server';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import { clientKey } from '../quota/index.js';
import type { AccessLog } from './access-log.js';
import type { FastPath } from './fast-resolve.js';
import { PROBLEM_TYPE, problemBody, problemResponse } from './problem.js';

// (env carries node:http's `incoming`: the socket a client is known by, for rate limits)
type Fetch = (r: Request, env?: unknown) => Response | Promise<Response>;

export interface Listener {
  server: Server;
  url: string;
  port: number;
  attach(fetch: Fetch, fast?: FastPath, hooks?: ListenerHooks): void;
}

export interface ListenerHooks {
  /** The request log's hook (access-log.ts), called first for every request. */
  access?: AccessLog;
  /** Hold every request back this long before answering it (zone file `delay_ms`). */
  delayMs?: number;
}

export interface ListenerLimits {
  headersTimeoutMs: number;
  /** Receiving the whole request, body included. */
  requestTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
}

/** Refuses a client's connections beyond `max` open at once (counted per address, IPv6 by /64). */
function capPerClient(server: Server, max: number) {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = clientKey(socket.remoteAddress);
    const n = (open.get(client) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(client, n);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}

const notReady = () =>
  new Response('{"status":"starting"}', { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '1' } });

/** Requests node-server cannot turn into a web Request (a bad target or Host) are the client's fault. */
const onFrameworkError = (err: unknown) =>
  problemResponse(
    err instanceof RequestError
      ? new StewardError('BAD_REQUEST', `malformed request: ${err.message}`)
      : err,
  );

/** Requests node:http cannot parse at all: answer on the socket, then close it. */
function onClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) {
  if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  // (headers or the whole request not received in time, an idle new connection included: 408, as Node itself answers)
  const late = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : late ? 408 : 400;
  const detail = tooLarge ? 'request headers are too large' : late ? 'the request was not received in time' : `malformed HTTP request (${err.code ?? 'parse error'})`;
  const { body } = problemBody(new StewardError(late ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST', detail, {}, status));
  const reason = tooLarge ? 'Request Header Fields Too Large' : late ? 'Request Timeout' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: ${PROBLEM_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Mutual TLS: the server's certificate (PEM, with its issuers) and key, and the root client certificates must chain to. */
export interface ListenerTls {
  cert: string | Buffer;
  key: string | Buffer;
  ca: string | Buffer | (string | Buffer)[];
}

export async function listen(host: string, port: number, limits: Partial<ListenerLimits> = {}, tls?: ListenerTls): Promise<Listener> {
  const lim = { ...DEFAULTS.http, ...limits };
  let handler: Fetch | undefined;
  let fast: FastPath | undefined;
  let access: AccessLog | undefined;
  let delayMs = 0;
  const framework = getRequestListener((r: Request, env: unknown) => (handler ? handler(r, env) : notReady()), { hostname: host, errorHandler: onFrameworkError });
  const options = {
    headersTimeout: Math.min(lim.headersTimeoutMs, lim.requestTimeoutMs),
    requestTimeout: lim.requestTimeoutMs,
    // (how often Node checks those deadlines; its default of 30 s would let them overrun)
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, lim.requestTimeoutMs / 4)),
  };
  const dispatch = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (!fast?.(req, res)) void framework(req, res);
  };
  const route = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (delayMs > 0) setTimeout(dispatch, delayMs, req, res);
    else dispatch(req, res);
  };
  const onRequest = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (access) access(req, res, route);
    else route(req, res);
  };
  // (an https.Server is a tls.Server that emits the same 'request'/'connection' events;
  // typed as http.Server so the rest of the node needs no second type)
  const server: Server = tls
    ? (createHttpsServer({ ...options, ...tls, requestCert: true, rejectUnauthorized: true, handshakeTimeout: lim.headersTimeoutMs }, onRequest) as unknown as Server)
    : createServer(options, onRequest);
  server.keepAliveTimeout = 65_000;
  server.maxConnections = lim.maxConnections;
  capPerClient(server, lim.maxConnectionsPerClient);
  server.on('clientError', onClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    port: actual,
    attach(fetch, fastPath, hooks = {}) {
      handler = fetch;
      fast = fastPath;
      access = hooks.access;
      delayMs = hooks.delayMs ?? 0;
    },
  };
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// Issue 7 finding 8 (connections), against a real node on port 0: an aborted POST body is
// no error, a body trickled at a few bytes per second is cut off at the deadline, and
// connections beyond the caps (in all, per client) are refused while the node answers.
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { testZone } from '../helpers/node.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function node(http: Record<string, number> = {}, lines: string[] = []): Promise<RunningNode> {
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
  return startNode({ config: testZone(), port: 0, http, log: pino({ level: 'debug' }, sink), seed: false });
}

function open(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the server closes the socket (or after `ms` with false). */
const closedWithin = (s: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => (clearTimeout(t), resolve(true)));
    s.on('error', () => {});
    s.resume();
  });

/** GET on an open socket; the status code, or 0 if it closed first. */
function ask(s: Socket, path = '/healthz'): Promise<number> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) (s.off('data', onData), resolve(Number(m[1])));
    };
    s.on('data', onData);
    s.once('close', () => resolve(0));
    s.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
  });
}

test('an aborted POST body ends the request quietly: no error-level log line', async () => {
  const lines: string[] = [];
  const n = await node({}, lines);
  try {
    const s = await open(n.port);
    s.write('POST /v1/agents HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/jose\r\ncontent-length: 5000\r\n\r\neyJhbGciOi');
    await sleep(150);
    s.destroy();
    await sleep(300);
    const loud = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 40);
    assert.equal(loud, []);
    assert.ok(lines.some((l) => /client closed the connection/.test(l)), 'a debug line says what happened');
    assert.is(await ask(await open(n.port)), 200);
  } finally {
    await n.close();
  }
});

test('a body sent a byte at a time is cut off at the request deadline; headers too', async () => {
  const n = await node({ requestTimeoutMs: 1_500, headersTimeoutMs: 1_000 });
  try {
    const started = Date.now();
    const body = await open(n.port);
    body.write('POST /v1/agents HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/jose\r\ncontent-length: 65536\r\n\r\n');
    const dribble = setInterval(() => body.writable && body.write('a'), 200);
    const headers = await open(n.port);
    headers.write('GET /healthz HTTP/1.1\r\n');
    const trickle = setInterval(() => headers.writable && headers.write('x-slow: 1\r\n'), 200);
    try {
      const [bodyCut, headersCut] = await Promise.all([closedWithin(body, 4_000), closedWithin(headers, 4_000)]);
      assert.ok(bodyCut, 'the slow body was cut off');
      assert.ok(headersCut, 'the slow headers were cut off');
      const took = Date.now() - started;
      assert.ok(took < 3_000, `cut off after ${took} ms (deadline 1.5 s)`);
    } finally {
      clearInterval(dribble);
      clearInterval(trickle);
    }
    // an idle keep-alive connection is not a slow request: it still answers afterwards
    const idle = await open(n.port);
    assert.is(await ask(idle), 200);
    await sleep(1_800);
    assert.is(await ask(idle), 200);
    idle.destroy();
  } finally {
    await n.close();
  }
});

test('a request whose headers do not arrive in time gets 408 problem+json, then the connection closes', async () => {
  const n = await node({ requestTimeoutMs: 1_500, headersTimeoutMs: 1_000 });
  try {
    for (const start of ['GET /healthz HTTP/1.1\r\n', '']) {
      const s = await open(n.port);
      let got = '';
      s.on('data', (d) => (got += d));
      if (start) s.write(start); // half the headers; or, on the second, nothing at all
      assert.ok(await closedWithin(s, 20_000), 'closed');
      assert.match(got, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      const body = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4));
      assert.is(body.status, 408);
      assert.is(body.code, 'REQUEST_TIMEOUT');
    }
  } finally {
    await n.close();
  }
});

test('connections beyond the caps are refused while the node keeps answering', async () => {
  const n = await node({ maxConnections: 6, maxConnectionsPerClient: 4 });
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < 4; i++) sockets.push(await open(n.port));
    const fifth = await open(n.port);
    assert.ok(await closedWithin(fifth, 2_000), 'a 5th connection from one client is refused');
    const other = await open(n.port, '127.0.0.2');
    sockets.push(other);
    assert.is(await ask(other), 200, 'another client is served');
    sockets.push(await open(n.port, '127.0.0.3'));
    const seventh = await open(n.port, '127.0.0.4');
    assert.ok(await closedWithin(seventh, 2_000), 'a 7th connection in all is refused');
    for (const s of sockets) assert.is(await ask(s), 200, 'open connections keep being answered');
    sockets.pop()!.destroy();
    await sleep(50);
    const again = await open(n.port, '127.0.0.4');
    sockets.push(again);
    assert.is(await ask(again), 200, 'a freed slot is usable');
  } finally {
    for (const s of sockets) s.destroy();
    await n.close();
  }
});

test.run();

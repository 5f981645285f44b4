// The one outbound client (src/peer/): bounded against a peer that sends too much, too
// slowly, or not JSON; the signer seam; private targets as policy. Real servers on port 0.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isPrivateHost, PeerClient, peerOrigin } from '../../src/peer/index.js';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
const stop = (s: Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });

async function rejects(p: Promise<unknown>, code: string, msg: RegExp) {
  try {
    await p;
  } catch (err) {
    assert.is((err as any).code, code);
    assert.match((err as Error).message, msg);
    return;
  }
  assert.unreachable('expected a failure');
}

test('a 60 MB body is cut off as soon as it passes the cap, chunked or declared', async () => {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const { url, server } = await serve((req, res) => {
    res.on('error', () => {});
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-length': String(60 * 1024 * 1024) });
      return void res.write(chunk);
    }
    res.writeHead(200);
    const pump = () => {
      while (written < 60 * 1024 * 1024 && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const peer = new PeerClient({ maxBodyBytes: 1024 * 1024, allowPrivate: true });
  try {
    const t = performance.now();
    await rejects(peer.call(`${url}/chunked`), 'LAME_ANSWER', /larger than 1048576 bytes/);
    assert.ok(performance.now() - t < 1500, 'refused quickly');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(written < 16 * 1024 * 1024, `the server got to write only ${written} bytes`);
    await rejects(peer.call(`${url}/declared`), 'LAME_ANSWER', /larger than/);
  } finally {
    await peer.close(0);
    await stop(server);
  }
});

test('a body that is not JSON, a silent peer and a slow drip each get a clear error', async () => {
  const { url, server } = await serve((req, res) => {
    if (req.url === '/text') return void res.end('<html>hi</html>');
    if (req.url === '/silent') return; // never answers
    res.writeHead(200);
    const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
  });
  const peer = new PeerClient({ timeoutMs: 300, allowPrivate: true });
  try {
    await rejects(peer.getJson(`${url}/text`), 'LAME_ANSWER', /not JSON/);
    await rejects(peer.call(`${url}/silent`), 'UPSTREAM_TIMEOUT', /within 300 ms/);
    const t = performance.now();
    await rejects(peer.call(`${url}/drip`), 'UPSTREAM_TIMEOUT', /within 300 ms/);
    assert.ok(performance.now() - t < 1000, 'the overall deadline ends a drip that never trips the body timeout');
    await rejects(new PeerClient({ allowPrivate: true }).call('http://127.0.0.1:9/'), 'SERVFAIL', /ECONNREFUSED/);
  } finally {
    await peer.close(0);
    await stop(server);
  }
});

test('sign(req) adds its headers to every request', async () => {
  let seen: Record<string, unknown> = {};
  const { url, server } = await serve((req, res) => {
    seen = req.headers;
    res.end('{}');
  });
  const peer = new PeerClient({ allowPrivate: true, headers: { 'x-who': 'me' }, sign: ({ method, url: u }) => ({ signature: `${method} ${u.pathname}` }) });
  try {
    const r = await peer.getJson(`${url}/v1/zone`);
    assert.equal(r.json, {});
    assert.is(seen.signature, 'GET /v1/zone');
    assert.is(seen['x-who'], 'me');
  } finally {
    await peer.close(0);
    await stop(server);
  }
});

test('private targets: IP literals and localhost by rule, DNS names when they resolve', async () => {
  for (const h of ['127.0.0.1', 'localhost', 'a.localhost', '10.0.0.1', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::1]', '[fe80::1]', '[fd00::1]', '[::ffff:7f00:1]']) {
    assert.ok(isPrivateHost(h), h);
  }
  for (const h of ['8.8.8.8', 'example.com', '[2001:4860:4860::8888]']) assert.not.ok(isPrivateHost(h), h);
  assert.equal(peerOrigin('https://reg.example.com/', { allowPrivate: false }), { origin: 'https://reg.example.com' });
  assert.ok('refused' in peerOrigin('http://0x7f.1/', { allowPrivate: false }), 'hex IPv4 is normalised and caught');
  const { url, server } = await serve((_req, res) => res.end('{}'));
  const port = new URL(url).port;
  const guarded = new PeerClient({ allowPrivate: false });
  const trusting = new PeerClient({ allowPrivate: false, trustedHosts: ['localhost'] });
  try {
    // "localhost" is a DNS name: refused when the lookup gives a loopback address ...
    await rejects(guarded.call(`http://localhost:${port}/`), 'SERVFAIL', /EPRIVATE|private/);
    // ... unless the operator configured that host (the zone file's parent).
    assert.is((await trusting.call(`http://localhost:${port}/`)).status, 200);
  } finally {
    await guarded.close(0);
    await trusting.close(0);
    await stop(server);
  }
});

test.run();

// The 64 KiB body limit (SPEC §3) on both of its paths: a declared content-length is judged
// on the header, a chunked body while it streams; bodies under the limit reach the route
// intact either way, over a real socket and through app.request() alike.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createNode, type NodeHandle } from '../../src/node/index.js';
import { generatePublisherKey, signCompact, type PublisherKey } from '../../src/records/keys.js';
import { http, manifest, startTestNode, testZone } from '../helpers/node.js';

const LIMIT = 64 * 1024;
const t = suite<{ srv: Awaited<ReturnType<typeof startTestNode>>; key: PublisherKey }>('body limit', {} as any);
t.before(async (ctx) => {
  ctx.srv = await startTestNode();
  ctx.key = await generatePublisherKey('EdDSA');
});
t.after(async (ctx) => ctx.srv.close());

const JOSE = { 'content-type': 'application/jose' };
const chunked = (text: string, size = 8192) =>
  new ReadableStream({
    start(c) {
      for (let i = 0; i < text.length; i += size) c.enqueue(new TextEncoder().encode(text.slice(i, i + size)));
      c.close();
    },
  });
const send = (url: string, method: string, body: string | ReadableStream) =>
  http(url, { method, headers: JOSE, body, ...(typeof body === 'string' ? {} : { duplex: 'half' }) } as RequestInit);

t('exactly 64 KiB with a content-length reaches the route; one byte more is 413', async ({ srv }) => {
  const at = await send(`${srv.url}/v1/agents`, 'POST', 'a'.repeat(LIMIT));
  assert.is(at.status, 400);
  assert.is(at.body.code, 'BAD_JWS');
  for (const [method, path] of [['POST', '/v1/agents'], ['DELETE', '/v1/agents/some-agent']]) {
    const over = await send(`${srv.url}${path}`, method!, 'a'.repeat(LIMIT + 1));
    assert.is(over.status, 413, `${method} ${path}`);
    assert.is(over.body.code, 'PAYLOAD_TOO_LARGE');
  }
});

t('a chunked body is counted as it streams: under the limit it publishes, over it is 413', async ({ srv, key }) => {
  const jws = await signCompact(manifest({ name: 'chunked-agent' }), key);
  const ok = await send(`${srv.url}/v1/agents`, 'POST', chunked(jws, 100));
  assert.is(ok.status, 201, JSON.stringify(ok.body));
  assert.is(ok.body.fingerprint, key.fingerprint);
  const over = await send(`${srv.url}/v1/agents/chunked-agent`, 'DELETE', chunked('x'.repeat(LIMIT + 10)));
  assert.is(over.status, 413);
  assert.is(over.body.code, 'PAYLOAD_TOO_LARGE');
});

t('through app.request (no socket) the same limit holds and a publish goes through', async ({ key }) => {
  const node: NodeHandle = await createNode({ config: testZone(), seed: false });
  try {
    const over = await node.app.request('/v1/agents', { method: 'POST', headers: JOSE, body: 'a'.repeat(LIMIT + 1) });
    assert.is(over.status, 413);
    const jws = await signCompact(manifest({ name: 'in-process-agent' }), key);
    const res = await node.app.request('/v1/agents', { method: 'POST', headers: JOSE, body: jws });
    assert.is(res.status, 201, await res.clone().text());
    assert.is(((await res.json()) as { name: string }).name, 'in-process-agent');
  } finally {
    await node.close();
  }
});

t.run();

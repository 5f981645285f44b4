// Issue 7, finding 7 against real nodes on port 0: a signed record cannot be replayed
// into another zone, a signed payload reads one way only, one key has one fingerprint,
// oversized RSA keys are refused cheaply, and a burst of version bumps buys no trust.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { generatePublisherKey, signCompact, type PublisherKey } from '../../src/records/keys.js';
import { b64, signRaw } from '../records/fixtures.js';
import { http, manifest, testZone } from '../helpers/node.js';

const t = suite<{ a: RunningNode; b: RunningNode; key: PublisherKey }>('publish tightening over HTTP', {} as any);

t.before(async (ctx) => {
  ctx.a = await startNode({ config: testZone('vibe-agency.com'), port: 0 });
  ctx.b = await startNode({ config: testZone('acme-corp.com'), port: 0 });
  ctx.key = await generatePublisherKey('ES256');
});
t.after(async ({ a, b }) => {
  await a?.close();
  await b?.close();
});

const post = (url: string, body: string) => http(`${url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body });
const del = (url: string, name: string, body: string) =>
  http(`${url}/v1/agents/${name}`, { method: 'DELETE', headers: { 'content-type': 'application/jose' }, body });

function problem(res: { status: number; type: string; body: any }, status: number, code: string, fragment?: RegExp) {
  assert.is(res.status, status, JSON.stringify(res.body));
  assert.ok(res.type.startsWith('application/problem+json'), res.type);
  assert.is(res.body.code, code);
  if (fragment) assert.match(res.body.detail, fragment);
}

t("a victim's record.jws copied from zone A into zone B → 422 WRONG_NAMESPACE", async ({ a, b, key }) => {
  const published = await post(a.url, await signCompact(manifest({ name: 'victim-agent' }), key));
  assert.is(published.status, 201, JSON.stringify(published.body));
  const record = (await http(`${a.url}/v1/agents/victim-agent`)).body;
  assert.is(record.namespace, 'vibe-agency.com');
  const replay = await post(b.url, record.jws);
  problem(replay, 422, 'WRONG_NAMESPACE', /signed for namespace "vibe-agency\.com".*namespace "acme-corp\.com"/);
  problem(await http(`${b.url}/v1/agents/victim-agent`), 404, 'NOT_FOUND');
  // a tombstone is bound the same way
  const tomb = await signCompact({ name: 'victim-agent', namespace: 'acme-corp.com', deleted: true, version: '1.2.0' }, key);
  problem(await del(a.url, 'victim-agent', tomb), 422, 'WRONG_NAMESPACE');
  assert.is((await http(`${a.url}/v1/agents/victim-agent`)).status, 200);
});

t('duplicate member names in the payload or the header → 400 BAD_JWS', async ({ a, key }) => {
  const text = JSON.stringify(manifest({ name: 'dup-agent' })).replace('"version":"1.2.0"', '"version":"1.2.0","version":"9.9.9"');
  problem(await post(a.url, await signRaw({ alg: key.alg, jwk: key.publicJwk }, text, key)), 400, 'BAD_JWS', /"version" twice/);
  const header = `{"alg":"ES256","alg":"ES256","jwk":${JSON.stringify(key.publicJwk)}}`;
  problem(await post(a.url, `${b64(header)}.${b64(manifest())}.${b64('sig')}`), 400, 'BAD_JWS', /"alg" twice/);
});

t('a zero-padded JWK coordinate → 400 BAD_JWS', async ({ a, key }) => {
  const x = Buffer.concat([Buffer.alloc(1), Buffer.from(key.publicJwk.x!, 'base64url')]).toString('base64url');
  const padded = await signRaw({ alg: 'ES256', jwk: { ...key.publicJwk, x } }, JSON.stringify(manifest({ name: 'padded-agent' })), key);
  problem(await post(a.url, padded), 400, 'BAD_JWS', /"x" must be exactly 32 bytes/);
});

t('an 8192-bit RSA key, or a huge exponent → 400 BAD_JWS, for no more CPU than any junk request', async ({ a }) => {
  const rsa = (n: Buffer, e: string) => `${b64({ alg: 'RS256', jwk: { kty: 'RSA', n: n.toString('base64url'), e } })}.${b64(manifest())}.${randomBytes(n.length).toString('base64url')}`;
  const big = () => rsa(randomBytes(1024), 'AQAB');
  const hugeE = () => rsa(randomBytes(384), randomBytes(383).toString('base64url')); // 5.85 ms of CPU each before
  const junk = () => `${b64({ alg: 'none' })}.${b64(manifest())}.${b64('sig')}`;
  problem(await post(a.url, big()), 400, 'BAD_JWS', /at most 4096/);
  problem(await post(a.url, hugeE()), 400, 'BAD_JWS', /AQAB/);
  // Process CPU (client and server share it, verify's thread pool included), interleaved
  // so both kinds see the same conditions.
  const cpu = { key: 0, junk: 0 };
  const timed = async (kind: 'key' | 'junk', body: string) => {
    const before = process.cpuUsage();
    assert.is((await post(a.url, body)).status, 400);
    const d = process.cpuUsage(before);
    cpu[kind] += (d.user + d.system) / 1000;
  };
  const n = 40;
  for (let i = 0; i < n; i++) {
    await timed('junk', junk());
    await timed('key', i % 2 ? big() : hugeE());
    await timed('junk', junk());
  }
  const extra = cpu.key / n - cpu.junk / (2 * n);
  assert.ok(extra < 1, `a bad RSA key costs ${extra.toFixed(2)} ms of CPU more than a junk request`);
});

t("four version bumps within a second do not raise a new key's trust", async ({ a }) => {
  const fresh = await generatePublisherKey('EdDSA');
  const scores: number[] = [];
  for (const version of ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4']) {
    const res = await post(a.url, await signCompact(manifest({ name: 'bumpy-agent', version }), fresh));
    assert.is(res.status, 201, JSON.stringify(res.body));
    scores.push(res.body.trust);
  }
  assert.equal(scores, [0.5, 0.5, 0.5, 0.5, 0.5]); // before: 0.5, 0.55, 0.6, 0.65, 0.65
});

t.run();

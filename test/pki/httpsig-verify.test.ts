// The signed-request verifier behind the hono middleware (in process, app.request): a
// round trip for each key type and algorithm, then every refusal SPEC §5 lists with its
// status and code — unsigned, each covered component and parameter tampered with, the
// chain, the clock, the bounds — and that the checks run in SPEC's order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSigner, createVerifier, MemoryNonceStore, type RequestToSign, type SignedHeaders } from '../../src/pki/httpsig/index.js';
import { fakeChainCheck, makeIdentity, makeRoot, signedApp, type TestIdentity } from './httpsig-fixtures.js';

const URL_PUSH = 'http://registry.test/v1/push';
const BODY = '{"changes":[{"name":"a.acme-corp.com.steward-registry.org"}]}';

const root = await makeRoot('p256');
const ec = await makeIdentity(root, 'p256');
const rsa = await makeIdentity(root, 'rsa2048');
const other = await makeIdentity(root, 'p256', { zone: 'other.com.steward-registry.org' });
const foreign = await makeIdentity(await makeRoot('p256'), 'p256');
const oneDay = await makeIdentity(root, 'p256', { days: 1 });

const app = signedApp(createVerifier({ verifyChain: fakeChainCheck(root.der), nonces: new MemoryNonceStore() }));

interface Send {
  who?: TestIdentity;
  alg?: 'rsa-pss-sha512' | 'rsa-v1_5-sha256' | 'ecdsa-p256-sha256';
  sign?: Partial<RequestToSign>;
  method?: string;
  url?: string;
  body?: string | undefined;
  edit?: (h: Record<string, string>) => void;
  via?: typeof app;
}

async function send({ who = ec, alg, sign = {}, method, url, body = BODY, edit, via = app }: Send = {}) {
  const signer = createSigner({ privateKey: who.privateKey, chain: who.chain, alg });
  const m = sign.method ?? method ?? 'POST';
  const headers: Record<string, string> = { ...(signer.sign({ method: m, url: URL_PUSH, body: m === 'GET' ? undefined : body, ...sign }) as unknown as Record<string, string>) };
  edit?.(headers);
  const res = await via.request(url ?? URL_PUSH, { method: method ?? m, headers, body: (method ?? m) === 'GET' ? undefined : body });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, code: json.code as string | undefined, json, type: res.headers.get('content-type') ?? '' };
}

const param = (h: Record<string, string>, name: string, f: (v: string) => string) => {
  h['Signature-Input'] = h['Signature-Input']!.replace(new RegExp(`;${name}=("[^"]*"|\\d+)`), (_, v: string) => `;${name}=${f(v)}`);
};
const bump = (v: string) => String(Number(v) + 1);
const refused = (r: { status: number; code?: string; type: string }, status: number, code: string, what: string) => {
  assert.is(r.code, code, what);
  assert.is(r.status, status, what);
  assert.ok(r.type.startsWith('application/problem+json'), what);
};

test('round trip: P-256 (ecdsa-p256-sha256) and RSA (rsa-pss-sha512, rsa-v1_5-sha256); the route sees sender and body', async () => {
  for (const [who, alg] of [[ec, undefined], [rsa, undefined], [rsa, 'rsa-v1_5-sha256']] as const) {
    const r = await send({ who, alg });
    assert.is(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json, { zone: who.zone, keyid: createSigner({ privateKey: who.privateKey, chain: who.chain }).keyid, body: BODY });
  }
});

test('the signer emits the SPEC §5 headers', () => {
  const h = createSigner({ privateKey: ec.privateKey, chain: ec.chain }).sign({ method: 'POST', url: URL_PUSH, body: BODY, now: 1_700_000_000_000 }) as SignedHeaders;
  assert.match(h['Content-Digest']!, /^sha-256=:[A-Za-z0-9+/]{43}=:$/);
  assert.match(
    h['Signature-Input'],
    /^sig1=\("@method" "@target-uri" "content-digest"\);created=1700000000;expires=1700000300;nonce="[A-Za-z0-9_-]{22}";keyid="sha256:[0-9a-f]{64}";alg="ecdsa-p256-sha256"$/,
  );
  assert.match(h.Signature, /^sig1=:[A-Za-z0-9+/]{86}==:$/); // 64 bytes r||s
  assert.match(h['Steward-Certificate-Chain'], /^:[A-Za-z0-9+/=]+:, :[A-Za-z0-9+/=]+:$/);
  const get = createSigner({ privateKey: ec.privateKey, chain: ec.chain }).sign({ method: 'GET', url: 'http://x.test/v1/sync?since=1' });
  assert.is(get['Content-Digest'], undefined);
  assert.match(get['Signature-Input'], /^sig1=\("@method" "@target-uri"\);created=/);
});

test('a signed GET (no body, no content-digest) is accepted', async () => {
  const r = await send({ method: 'GET', url: URL_PUSH.replace('push', 'sync'), sign: { url: URL_PUSH.replace('push', 'sync') } });
  assert.is(r.status, 200, JSON.stringify(r.json));
});

test('unsigned → 401 SIGNATURE_MISSING; half-signed → 400', async () => {
  const res = await app.request(URL_PUSH, { method: 'POST', body: BODY });
  assert.is(res.status, 401);
  assert.is(((await res.json()) as { code: string }).code, 'SIGNATURE_MISSING');
  refused(await send({ edit: (h) => delete h.Signature }), 400, 'BAD_REQUEST', 'no Signature');
  refused(await send({ edit: (h) => delete h['Steward-Certificate-Chain'] }), 400, 'BAD_REQUEST', 'no chain');
  refused(await send({ edit: (h) => delete h['Content-Digest'] }), 400, 'BAD_REQUEST', 'no digest');
});

test('each covered component tampered with is refused', async () => {
  refused(await send({ sign: { method: 'PUT' }, method: 'POST' }), 401, 'SIGNATURE_INVALID', 'method');
  refused(await send({ sign: { url: `${URL_PUSH}?x=1` } }), 401, 'SIGNATURE_INVALID', 'target URI: query');
  refused(await send({ sign: { url: 'http://other-registry.test/v1/push' } }), 401, 'SIGNATURE_INVALID', 'target URI: host');
  refused(await send({ sign: { url: 'https://registry.test/v1/push' } }), 401, 'SIGNATURE_INVALID', 'target URI: scheme');
  refused(await send({ sign: { body: BODY }, body: BODY.replace('a.', 'b.') }), 400, 'BAD_REQUEST', 'body (digest no longer matches)');
  const { contentDigest } = await import('../../src/pki/httpsig/index.js');
  const forged = BODY.replace('a.', 'b.');
  refused(await send({ sign: { body: BODY }, body: forged, edit: (h) => (h['Content-Digest'] = contentDigest(Buffer.from(forged))) }), 401, 'SIGNATURE_INVALID', 'body and digest');
});

test('each signature parameter tampered with is refused', async () => {
  refused(await send({ edit: (h) => param(h, 'created', bump) }), 401, 'SIGNATURE_INVALID', 'created');
  refused(await send({ edit: (h) => param(h, 'expires', (v) => String(Number(v) - 1)) }), 401, 'SIGNATURE_INVALID', 'expires');
  refused(await send({ edit: (h) => param(h, 'nonce', (v) => `"${v.slice(1, -2)}${v.at(-2) === 'A' ? 'B' : 'A'}"`) }), 401, 'SIGNATURE_INVALID', 'nonce');
  refused(await send({ edit: (h) => param(h, 'keyid', (v) => v.replace(/[0-9a-f]"$/, (c) => (c === '0"' ? '1"' : '0"'))) }), 401, 'CERT_INVALID', 'keyid');
  refused(await send({ edit: (h) => param(h, 'alg', () => '"rsa-pss-sha512"') }), 401, 'SIGNATURE_INVALID', 'alg: not the key type');
  refused(await send({ who: rsa, edit: (h) => param(h, 'alg', () => '"rsa-v1_5-sha256"') }), 401, 'SIGNATURE_INVALID', 'alg: other RSA alg');
  refused(await send({ edit: (h) => (h.Signature = h.Signature.replace(/^sig1=:./, (s) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`)) }), 401, 'SIGNATURE_INVALID', 'signature bytes');
  refused(await send({ edit: (h) => (h['Signature-Input'] = h['Signature-Input'].replace(' "content-digest"', '')) }), 400, 'BAD_REQUEST', 'content-digest uncovered');
  refused(await send({ edit: (h) => (h['Signature-Input'] += ';tag="x"') }), 400, 'BAD_REQUEST', 'unknown parameter');
  refused(await send({ edit: (h) => param(h, 'nonce', () => '"short"') }), 400, 'BAD_REQUEST', 'weak nonce');
  refused(await send({ edit: (h) => param(h, 'expires', (v) => String(Number(v) + 1)) }), 400, 'BAD_REQUEST', 'expires > created + 300');
});

test('the chain: wrong leaf, foreign root, expired certificate → 401 CERT_INVALID', async () => {
  refused(await send({ edit: (h) => (h['Steward-Certificate-Chain'] = createSigner({ privateKey: other.privateKey, chain: other.chain }).sign({ method: 'GET', url: URL_PUSH })['Steward-Certificate-Chain']) }), 401, 'CERT_INVALID', 'another leaf than keyid');
  refused(await send({ who: foreign }), 401, 'CERT_INVALID', 'chain to another root');
  // Two days on, the one-day certificate has expired (a signature made then, on that clock).
  const later = Date.now() + 2 * 86_400_000;
  const future = signedApp(createVerifier({ verifyChain: fakeChainCheck(root.der), nonces: new MemoryNonceStore(), now: () => later }));
  refused(await send({ who: oneDay, via: future, sign: { now: later } }), 401, 'CERT_INVALID', 'expired certificate');
  assert.is((await send({ who: ec, via: future, sign: { now: later } })).status, 200, 'a valid one on the same clock passes');
});

test('created 10 minutes off (either way) and an expired signature → 401 CLOCK_SKEW', async () => {
  refused(await send({ sign: { now: Date.now() - 600_000 } }), 401, 'CLOCK_SKEW', '10 minutes ago');
  refused(await send({ sign: { now: Date.now() + 600_000 } }), 401, 'CLOCK_SKEW', '10 minutes ahead');
  refused(await send({ sign: { now: Date.now() - 200_000, lifetimeSeconds: 100 } }), 401, 'CLOCK_SKEW', 'expired');
  assert.is((await send({ sign: { now: Date.now() - 250_000 } })).status, 200, '250 s old is within the window');
});

test('bounds: chain length, certificate size, labels, header size → 400', async () => {
  const chainOf = (n: number) => Array(n).fill(`:${ec.chain[0]!.toString('base64')}:`).join(', ');
  refused(await send({ edit: (h) => (h['Steward-Certificate-Chain'] = chainOf(6)) }), 400, 'BAD_REQUEST', '6 certificates');
  refused(await send({ edit: (h) => (h['Steward-Certificate-Chain'] = `:${Buffer.alloc(8193, 1).toString('base64')}:`) }), 400, 'BAD_REQUEST', '8 KiB + 1 certificate');
  refused(await send({ edit: (h) => (h.Signature += ', a=:AA==:, b=:AA==:, c=:AA==:, d=:AA==:') }), 400, 'BAD_REQUEST', '5 labels');
  refused(await send({ edit: (h) => (h['Signature-Input'] += `, x=("${'a'.repeat(2100)}")`) }), 400, 'BAD_REQUEST', 'oversized Signature-Input');
  assert.is((await send({ edit: (h) => (h.Signature += ', proxy=:AA==:') })).status, 200, 'an extra label is ignored');
});

test('the checks run in SPEC order', async () => {
  refused(await send({ who: foreign, sign: { body: 'x' } }), 400, 'BAD_REQUEST', 'digest before chain');
  refused(await send({ who: foreign, sign: { now: Date.now() - 600_000 } }), 401, 'CERT_INVALID', 'chain before clock');
  refused(await send({ sign: { now: Date.now() - 600_000 }, edit: (h) => param(h, 'nonce', (v) => `"${v.slice(1, -2)}${v.at(-2) === 'A' ? 'B' : 'A'}"`) }), 401, 'SIGNATURE_INVALID', 'signature before clock');
  const stale = createSigner({ privateKey: ec.privateKey, chain: ec.chain }).sign({ method: 'POST', url: URL_PUSH, body: BODY, now: Date.now() - 600_000 });
  for (let i = 0; i < 2; i++) {
    const res = await app.request(URL_PUSH, { method: 'POST', headers: stale as unknown as Record<string, string>, body: BODY });
    assert.is(((await res.json()) as { code: string }).code, 'CLOCK_SKEW', 'clock before nonce');
  }
});

test('origins: a request signed for another registry, Host rewritten to it, is refused here', async () => {
  const strict = signedApp(createVerifier({ verifyChain: fakeChainCheck(root.der), nonces: new MemoryNonceStore(), origins: ['https://registry.test'] }));
  refused(await send({ via: strict }), 401, 'SIGNATURE_INVALID', 'addressed to http://registry.test');
  const url = 'https://registry.test/v1/push';
  assert.is((await send({ via: strict, sign: { url }, url })).status, 200);
});

test('a body over 64 KiB is 413 before any verification', async () => {
  const big = 'x'.repeat(64 * 1024 + 1);
  const res = await app.request(URL_PUSH, { method: 'POST', body: big });
  assert.is(res.status, 413);
});

test.run();

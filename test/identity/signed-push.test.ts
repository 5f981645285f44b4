// POST /v1/push and GET /v1/sync against a real `com` node with the real pki-backed
// verifier (SPEC §5): a child registered through POST /v1/register signs its pushes; each
// refusal is shown with its status and code.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCertificate, createRootCa, generateKeys } from '../../src/pki/index.js';
import { http, ROOT } from '../helpers/node.js';
import { COM, identityTree } from './helpers.js';
import { materialOf, putEntry, registerChild, send, signedRaw, type Registered } from './exchange.js';

const t = suite('signed push and sync');
let tree: Awaited<ReturnType<typeof identityTree>>;
let acme: Registered;
const push = () => `${tree.com.url}/v1/push`;
const body = async (names = ['bot']) => ({ zone: acme.zone, entries: await Promise.all(names.map((n) => putEntry(n, 'acme-labs.com'))) });

t.before(async () => {
  tree = await identityTree();
  acme = await registerChild(tree.com, 'acme-labs.com');
});
t.after(async () => tree.close());

const refused = (res: { status: number; body: any }, status: number, code: string, what = '') => {
  assert.is(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.is(res.body.code, code, what);
};

t('a validly signed push by the child is accepted', async () => {
  const res = await send(signedRaw(acme, 'POST', push(), await body(['a', 'b'])));
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body, { accepted: 2, duplicates: 0, rejected: [] });
});

t('no signature → 401 SIGNATURE_MISSING (push and sync)', async () => {
  refused(await http(push(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await body()) }), 401, 'SIGNATURE_MISSING');
  refused(await http(`${tree.com.url}/v1/sync?since=0`), 401, 'SIGNATURE_MISSING');
});

t('a recorded signed request replayed 1,000 times: none accepted (401 REPLAY)', async () => {
  const rec = signedRaw(acme, 'POST', push(), await body());
  assert.is((await send(rec)).status, 200);
  const statuses = new Map<string, number>();
  for (let i = 0; i < 1000; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => send(rec)));
    for (const r of batch) statuses.set(`${r.status} ${r.body.code}`, (statuses.get(`${r.status} ${r.body.code}`) ?? 0) + 1);
  }
  assert.equal([...statuses], [['401 REPLAY', 1000]]);
});

t('the same signed request sent 50 times at once is accepted exactly once', async () => {
  const rec = signedRaw(acme, 'POST', push(), await body());
  const res = await Promise.all(Array.from({ length: 50 }, () => send(rec)));
  assert.is(res.filter((r) => r.status === 200).length, 1);
  assert.ok(res.filter((r) => r.status !== 200).every((r) => r.status === 401 && r.body.code === 'REPLAY'));
});

t('each covered component tampered with is refused', async () => {
  const b = await body();
  const good = () => signedRaw(acme, 'POST', push(), b);
  const param = (name: string, to: (v: string) => string) => {
    const r = good();
    r.headers['Signature-Input'] = r.headers['Signature-Input']!.replace(new RegExp(`;${name}=("[^"]*"|\\d+)`), (_m, v: string) => `;${name}=${to(v)}`);
    return r;
  };
  const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
    ['method (signed PUT, sent POST)', () => send(signedRaw(acme, 'POST', push(), b, { signMethod: 'PUT' })), 401, 'SIGNATURE_INVALID'],
    ['target URI (signed for ?x=1)', () => send(signedRaw(acme, 'POST', push(), b, { signUrl: `${push()}?x=1` })), 401, 'SIGNATURE_INVALID'],
    ['target URI (signed for another registry)', () => send(signedRaw(acme, 'POST', push(), b, { signUrl: `${tree.root.url}/v1/push` })), 401, 'SIGNATURE_INVALID'],
    ['body (digest no longer matches)', () => { const r = good(); r.body = r.body!.replace('"bot"', '"bou"'); return send(r); }, 400, 'BAD_REQUEST'],
    ['body and digest together', async () => {
      const other = signedRaw(acme, 'POST', push(), { ...b, entries: [] });
      const r = good();
      r.body = other.body;
      r.headers['Content-Digest'] = other.headers['Content-Digest']!;
      return send(r);
    }, 401, 'SIGNATURE_INVALID'],
    ['created', () => send(param('created', (v) => String(Number(v) + 1))), 401, 'SIGNATURE_INVALID'],
    ['expires', () => send(param('expires', (v) => String(Number(v) - 1))), 401, 'SIGNATURE_INVALID'],
    ['nonce', () => send(param('nonce', (v) => `"${v.slice(1, -2)}${v.at(-2) === 'A' ? 'B' : 'A'}"`)), 401, 'SIGNATURE_INVALID'],
    ['keyid', () => send(param('keyid', () => `"sha256:${'0'.repeat(64)}"`)), 401, 'CERT_INVALID'],
    ['alg', () => send(param('alg', () => '"rsa-pss-sha512"')), 401, 'SIGNATURE_INVALID'],
    ['signature bytes', () => { const r = good(); r.headers.Signature = r.headers.Signature!.replace(/:(.)/, (_m, c: string) => `:${c === 'A' ? 'B' : 'A'}`); return send(r); }, 401, 'SIGNATURE_INVALID'],
  ];
  for (const [what, run, status, code] of cases) refused(await run(), status, code, what);
  // and the request untouched still goes through
  assert.is((await send(good())).status, 200);
});

t('created 10 minutes off either way → 401 CLOCK_SKEW', async () => {
  const b = await body();
  refused(await send(signedRaw(acme, 'POST', push(), b, { now: Date.now() - 600_000 })), 401, 'CLOCK_SKEW', 'past');
  refused(await send(signedRaw(acme, 'POST', push(), b, { now: Date.now() + 600_000 })), 401, 'CLOCK_SKEW', 'future');
});

t('expired, not-yet-valid, wrongly constrained certificates and a foreign root → 401 CERT_INVALID', async () => {
  const com = materialOf(tree.com);
  const comIssuer = { certificate: com.certificate, keys: com.keys };
  const keys = await generateKeys('p256');
  const spec = { subjectCn: acme.zone, dnsNames: [acme.zone], permitted: [acme.zone], ca: true, subjectPublicKey: keys.publicKey };
  const day = 86_400_000;
  const as = async (certificate: string, chain: string[]) => send(signedRaw({ keys, certificate, chain }, 'POST', push(), await body()));
  const expired = await buildCertificate({ ...spec, notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) }, comIssuer);
  refused(await as(expired.pem, [com.certificate, ...com.chain]), 401, 'CERT_INVALID', 'expired');
  const early = await buildCertificate({ ...spec, notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 10 * day) }, comIssuer);
  refused(await as(early.pem, [com.certificate, ...com.chain]), 401, 'CERT_INVALID', 'not yet valid');
  // the child (CA for acme-labs.com only) signs a certificate for its sibling zone
  const sibling = `victim.${COM}`;
  const forged = await buildCertificate({ ...spec, subjectCn: sibling, dnsNames: [sibling], permitted: [sibling] }, { certificate: acme.certificate, keys: acme.keys });
  const r = await send(signedRaw({ keys, certificate: forged.pem, chain: [acme.certificate, ...acme.chain] }, 'POST', push(), { zone: sibling, entries: [] }));
  refused(r, 401, 'CERT_INVALID', 'sibling zone signed by the child');
  // a whole other federation: same names, another root
  const otherRootKeys = await generateKeys('p256');
  const otherRoot = await createRootCa(ROOT, otherRootKeys);
  const otherCom = await buildCertificate({ ...spec, subjectCn: acme.zone, dnsNames: [acme.zone], permitted: [acme.zone] }, { certificate: otherRoot.pem, keys: otherRootKeys });
  refused(await as(otherCom.pem, [otherRoot.pem]), 401, 'CERT_INVALID', 'chain to another root');
});

t('a child pushing names of another zone → 403 NOT_PERMITTED; a push naming another sender → 403', async () => {
  const other = { zone: acme.zone, entries: [await putEntry('vibe-agency-orchestrator', 'vibe-agency.com')] };
  refused(await send(signedRaw(acme, 'POST', push(), other)), 403, 'NOT_PERMITTED', 'another zone');
  refused(await send(signedRaw(acme, 'POST', push(), { zone: `vibe-agency.${COM}`, entries: [] })), 403, 'NOT_PERMITTED', 'body names another zone');
});

t('a forged entry inside a validly signed push is rejected alone', async () => {
  const good = await putEntry('fine', 'acme-labs.com');
  const forged = await putEntry('forged', 'acme-labs.com', { digest: `sha256:${'0'.repeat(64)}` });
  const res = await send(signedRaw(acme, 'POST', push(), { zone: acme.zone, entries: [good, forged] }));
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.is(res.body.accepted, 1);
  assert.is(res.body.rejected.length, 1);
  assert.is(res.body.rejected[0].id, `forged.acme-labs.com.${ROOT}`);
  assert.is(res.body.rejected[0].code, 'BAD_SIGNATURE');
});

t('GET /v1/sync: the parent, an ancestor and a replica pull; a child or sibling → 403 NOT_PERMITTED', async () => {
  const sync = `${tree.com.url}/v1/sync?since=0`;
  const root = materialOf(tree.root);
  const ok = await send(signedRaw(root, 'GET', sync));
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  assert.ok(Array.isArray(ok.body.entries));
  assert.is((await send(signedRaw(materialOf(tree.com), 'GET', sync))).status, 200, 'a replica of the zone (its own certificate)');
  refused(await send(signedRaw(acme, 'GET', sync)), 403, 'NOT_PERMITTED', 'a child');
  refused(await send(signedRaw(acme, 'GET', `${tree.root.url}/v1/sync?since=0`)), 403, 'NOT_PERMITTED', 'a grandchild pulling the root');
});

t.run();

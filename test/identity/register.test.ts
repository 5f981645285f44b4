// POST /v1/register against a real parent (SPEC §5): the issued chain verifies with
// OpenSSL, the delegation is durable and referred to at once, and each refusal has its
// status and code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { http, ROOT } from '../helpers/node.js';
import { COM, identityTree, newChild, register } from './helpers.js';
import { openssl } from './helpers.js';

const t = suite('register');
let tree: Awaited<ReturnType<typeof identityTree>>;
t.before(async () => {
  tree = await identityTree();
});
t.after(async () => tree.close());

t('a child registers: 201, a one-year certificate OpenSSL verifies, a durable delegation, referrals at once', async () => {
  const child = await newChild('acme-labs.com');
  const res = await register(tree.com, { namespace: 'acme-labs.com', csr: child.csr, endpoints: [{ url: 'http://127.0.0.1:9', region: 'eu-west' }] });
  assert.is(res.status, 201, JSON.stringify(res.body));
  const { certificate, chain, delegation } = res.body;
  assert.is(delegation.zone, `acme-labs.${COM}`);
  assert.is(chain.length, 2, 'com, then the root');
  writeFileSync(join(tree.dir, 'leaf.pem'), certificate);
  writeFileSync(join(tree.dir, 'chain.pem'), chain.slice(0, -1).join(''));
  writeFileSync(join(tree.dir, 'root.pem'), chain.at(-1));
  const v = openssl(['verify', '-CAfile', join(tree.dir, 'root.pem'), '-untrusted', join(tree.dir, 'chain.pem'), join(tree.dir, 'leaf.pem')]);
  assert.ok(v.ok, v.out);
  const text = openssl(['x509', '-in', join(tree.dir, 'leaf.pem'), '-noout', '-enddate', '-startdate']).out;
  const days = (Date.parse(text.match(/notAfter=(.*)/)![1]!) - Date.parse(text.match(/notBefore=(.*)/)![1]!)) / 86_400_000;
  assert.ok(days > 364 && days < 367, `valid ${days} days`);

  const zone = await http(`${tree.com.url}/v1/zone`);
  assert.ok(zone.body.delegations.some((d: any) => d.zone === delegation.zone), 'in /v1/zone');
  assert.match(zone.body.certificate, /BEGIN CERTIFICATE/);
  const ref = await http(`${tree.com.url}/v1/resolve?name=${encodeURIComponent(`some-agent.acme-labs.${COM}`)}&rd=0`);
  assert.is(ref.body.status, 'REFERRAL');
  assert.is(ref.body.referral.zone, delegation.zone);
  assert.is(ref.body.referral.certificate, certificate, 'the referral carries the child certificate');
});

t('the same key again renews; another key is 409 NAMESPACE_TAKEN', async () => {
  const a = await newChild('renewco.com');
  assert.is((await register(tree.com, { namespace: 'renewco.com', csr: a.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] })).status, 201);
  const again = await register(tree.com, { namespace: 'renewco.com', csr: a.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.is(again.status, 200, JSON.stringify(again.body));
  const b = await newChild('renewco.com');
  const taken = await register(tree.com, { namespace: 'renewco.com', csr: b.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.is(taken.status, 409);
  assert.is(taken.body.code, 'NAMESPACE_TAKEN');
});

t('confusable, too deep, outside, bad CSR and bad endpoints are refused with their codes', async () => {
  const a = await newChild('paypal.com');
  assert.is((await register(tree.com, { namespace: 'paypal.com', csr: a.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] })).status, 201);
  const b = await newChild('paypa1.com');
  const conf = await register(tree.com, { namespace: 'paypa1.com', csr: b.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.is(conf.status, 422);
  assert.is(conf.body.code, 'NAMESPACE_CONFUSABLE');
  assert.match(conf.body.detail, /paypal/);

  const deep = await newChild('x.y.com');
  const tooDeep = await register(tree.com, { namespace: 'x.y.com', csr: deep.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.is(tooDeep.status, 400);
  assert.is(tooDeep.body.code, 'BAD_NAME');
  const org = await newChild('acme.org');
  const outside = await register(tree.com, { namespace: 'acme.org', csr: org.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.is(outside.status, 400);

  const mismatch = await register(tree.com, { namespace: 'other.com', csr: a.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.is(mismatch.body.code, 'BAD_CSR');
  const garbage = await register(tree.com, { namespace: 'garbage.com', csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', endpoints: [{ url: 'http://127.0.0.1:9' }] });
  assert.is(garbage.status, 400);
  assert.is(garbage.body.code, 'BAD_CSR');
  const c = await newChild('pathy.com');
  const path = await register(tree.com, { namespace: 'pathy.com', csr: c.csr, endpoints: [{ url: 'http://127.0.0.1:9/internal-admin/' }] });
  assert.is(path.status, 400);
  const noBody = await http(`${tree.com.url}/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"namespace":' });
  assert.is(noBody.status, 400);
});

t('registered delegations and revocations survive a restart of the parent', async () => {
  const before = (await http(`${tree.com.url}/v1/zone`)).body.delegations.map((d: any) => d.zone).sort();
  assert.ok(before.includes(`acme-labs.${COM}`));
  await tree.restartCom();
  const after = (await http(`${tree.com.url}/v1/zone`)).body.delegations.map((d: any) => d.zone).sort();
  assert.equal(after, before);
  const ref = await http(`${tree.com.url}/v1/resolve?name=${encodeURIComponent(`a.acme-labs.${COM}`)}&rd=0`);
  assert.is(ref.body.status, 'REFERRAL');
  assert.ok(ROOT);
});

t.run();

// GET /v1/audit against real nodes (root + com with demo identities): registrations,
// renewals, invites, revocations and refused signed requests (with their code) each leave
// an entry; the log pages with `next`, filters by kind and time; only the zone's operator
// reads it (a client inside the zone, or a request signed with the zone's own key) — com
// here counts only 10.0.0.0/8 as inside, so its loopback clients are outsiders.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RefusalThrottle } from '../../src/http/refusals.js';
import { http } from '../helpers/node.js';
import { COM, identityTree, newChild, register } from '../identity/helpers.js';
import { materialOf, putEntry, registerChild, send, signedRaw } from '../identity/exchange.js';

const t = suite('audit endpoint');
let tree: Awaited<ReturnType<typeof identityTree>>;
t.before(async () => {
  tree = await identityTree({ policy: { internal_clients: ['10.0.0.0/8'] } });
});
t.after(async () => tree.close());

/** com's audit log as its operator reads it (signed with com's own key). */
const operatorRead = (query = '') => send(signedRaw(materialOf(tree.com), 'GET', `${tree.com.url}/v1/audit${query}`));

t('registrations, renewals, invites, revocations and refusals are in the audit log, with the codes', async () => {
  const c = await newChild('acme.com');
  const body = { namespace: 'acme.com', csr: c.csr, endpoints: [{ url: 'http://127.0.0.1:9', region: 'eu-west' }] };
  assert.is((await register(tree.com, body)).status, 201);
  assert.is((await register(tree.com, body)).status, 200, 'the same key again renews');
  const invite = await send(signedRaw(materialOf(tree.com), 'POST', `${tree.com.url}/v1/admin/invite`, { namespace: 'beta.com' }));
  assert.is(invite.status, 201, JSON.stringify(invite.body));

  const rogue = await registerChild(tree.com, 'rogue.com');
  // a child may not revoke (refused after its signature verified: NOT_PERMITTED)
  assert.is((await send(signedRaw(rogue, 'POST', `${tree.com.url}/v1/admin/revoke`, { zone: rogue.zone }))).status, 403);
  // a replayed push (REPLAY), and an unsigned one (SIGNATURE_MISSING)
  const push = signedRaw(rogue, 'POST', `${tree.com.url}/v1/push`, { zone: rogue.zone, entries: [await putEntry('bot', 'rogue.com')] });
  assert.is((await send(push)).status, 200);
  assert.is((await send(push)).body.code, 'REPLAY');
  assert.is((await http(`${tree.com.url}/v1/push`, { method: 'POST', body: '{}' })).body.code, 'SIGNATURE_MISSING');
  const revoked = await send(signedRaw(materialOf(tree.com), 'POST', `${tree.com.url}/v1/admin/revoke`, { zone: rogue.zone, reason: 'test' }));
  assert.is(revoked.status, 200);

  const res = await operatorRead('?limit=1000');
  assert.is(res.status, 200, JSON.stringify(res.body));
  const entries = res.body.entries as { kind: string; peer?: string; data?: Record<string, unknown>; at: string; seq: number }[];
  const of = (kind: string) => entries.filter((e) => e.kind === kind);
  assert.equal(of('register').map((e) => e.peer), [`acme.${COM}`, `rogue.${COM}`]);
  assert.equal(of('renew').map((e) => e.peer), [`acme.${COM}`]);
  assert.equal(of('invite').map((e) => e.data?.namespace), ['beta.com']);
  assert.equal(of('revoke').map((e) => [e.peer, e.data?.reason]), [[`rogue.${COM}`, 'test']]);
  const codes = of('refused').map((e) => e.data?.code);
  assert.equal(codes, ['NOT_PERMITTED', 'REPLAY', 'SIGNATURE_MISSING']);
  assert.is(of('refused')[0]!.peer, `rogue.${COM}`, 'a refusal after verification names the signer');
  assert.ok(entries.every((e) => !Number.isNaN(Date.parse(e.at))));

  // the same refusals, counted by code
  const metrics = await (await fetch(`${tree.com.url}/metrics`)).text();
  for (const code of ['NOT_PERMITTED', 'REPLAY', 'SIGNATURE_MISSING']) assert.match(metrics, `steward_signed_refusals_total{code="${code}"} 1\n`);
});

t('pages with next, filters by kind and by time; bad parameters are 400', async () => {
  const all = (await operatorRead('?limit=1000')).body.entries as { seq: number; kind: string; at: string }[];
  assert.ok(all.length >= 5);
  const seen: number[] = [];
  let since = '';
  for (let i = 0; i < 50; i++) {
    const page = await operatorRead(`?limit=2${since ? `&since=${since}` : ''}`);
    assert.ok(page.body.entries.length <= 2);
    seen.push(...page.body.entries.map((e: { seq: number }) => e.seq));
    if (page.body.next === null) break;
    since = page.body.next;
  }
  assert.equal(seen, all.map((e) => e.seq).filter((s) => s <= seen.at(-1)!), 'pages walk the log in order, nothing twice or skipped');
  assert.ok(seen.length >= all.length);

  const refused = (await operatorRead('?kind=refused,revoke')).body.entries as { kind: string }[];
  assert.ok(refused.length >= 4 && refused.every((e) => e.kind === 'refused' || e.kind === 'revoke'));
  const later = (await operatorRead(`?since=${encodeURIComponent(all.at(-1)!.at)}`)).body.entries as { seq: number }[];
  assert.ok(later.length >= 1 && later.every((e) => e.seq >= all.at(-1)!.seq - 10));
  assert.is((await operatorRead(`?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`)).body.entries.length, 0);

  for (const q of ['?since=yesterday', '?kind=gossip', '?limit=0', '?limit=5000']) {
    const bad = await operatorRead(q);
    assert.is(bad.status, 400, q);
    assert.is(bad.body.code, 'BAD_REQUEST', q);
  }
});

t('only the operator reads it: outsiders and other registries get 403', async () => {
  const outsider = await http(`${tree.com.url}/v1/audit`);
  assert.is(outsider.status, 403);
  assert.is(outsider.body.code, 'NOT_PERMITTED');
  assert.match(outsider.body.detail, /internal_clients/);
  const child = await registerChild(tree.com, 'other.com');
  const byChild = await send(signedRaw(child, 'GET', `${tree.com.url}/v1/audit`));
  assert.is(byChild.status, 403);
  const byParent = await send(signedRaw(materialOf(tree.root), 'GET', `${tree.com.url}/v1/audit`));
  assert.is(byParent.status, 403, 'not even the parent');
  // the root keeps the default (loopback is inside): its local operator reads it unsigned
  const root = await http(`${tree.root.url}/v1/audit`);
  assert.is(root.status, 200);
  assert.ok(Array.isArray(root.body.entries));
});

t('a flood of refusals from one client: 10 audit entries a minute per code, the next says how many were left out', () => {
  const th = new RefusalThrottle();
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  const admitted = Array.from({ length: 25 }, (_, i) => th.admit('10.0.0.1 REPLAY', t0 + i * 1_000));
  assert.equal(admitted.slice(0, 10), Array(10).fill(0));
  assert.ok(admitted.slice(10).every((x) => x === undefined));
  assert.is(th.admit('10.0.0.1 SIGNATURE_INVALID', t0 + 30_000), 0, 'another code is counted apart');
  assert.is(th.admit('10.0.0.2 REPLAY', t0 + 30_000), 0, 'another client too');
  assert.is(th.admit('10.0.0.1 REPLAY', t0 + 60_000), 15, 'the next minute: the first says 15 were left out');
  assert.is(th.admit('10.0.0.1 REPLAY', t0 + 61_000), 0);
});

t.run();

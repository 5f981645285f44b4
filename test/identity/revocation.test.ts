// Revocation end to end (SPEC §5), the ancestors' CRLs, and the nonce store's failure
// mode, against real nodes: after `com` revokes a child (POST /v1/admin/revoke signed by
// com's own key) the child's pushes are refused, its delegation is withdrawn and OpenSSL
// refuses its certificate with com's CRL; after the root revokes one of its children,
// `com` refuses that registry too once its CRL refresh has fetched the root's CRL.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { http, ROOT, startTestNode } from '../helpers/node.js';
import { redisAvailable, startRedis } from '../helpers/redis.js';
import { COM, identityTree } from './helpers.js';
import { openssl } from './helpers.js';
import { materialOf, putEntry, registerChild, send, signedRaw } from './exchange.js';

const t = suite('revocation');
let tree: Awaited<ReturnType<typeof identityTree>>;
t.before(async () => {
  tree = await identityTree({ crlRefreshMs: 200 });
});
t.after(async () => tree.close());

t('a revoked child: pushes refused, delegation withdrawn, openssl -crl_check refuses it', async () => {
  const rogue = await registerChild(tree.com, 'rogue.com');
  const keep = await registerChild(tree.com, 'keeper.com');
  const push = async () => send(signedRaw(rogue, 'POST', `${tree.com.url}/v1/push`, { zone: rogue.zone, entries: [await putEntry('bot', 'rogue.com')] }));
  assert.is((await push()).status, 200, 'accepted before the revocation');
  const ref = () => http(`${tree.com.url}/v1/resolve?name=${encodeURIComponent(`bot.${rogue.zone}`)}&rd=0`);
  assert.is((await ref()).body.status, 'REFERRAL');

  // only com's own key may revoke
  const byChild = await send(signedRaw(keep, 'POST', `${tree.com.url}/v1/admin/revoke`, { zone: rogue.zone }));
  assert.is(byChild.status, 403);
  const revoked = await send(signedRaw(materialOf(tree.com), 'POST', `${tree.com.url}/v1/admin/revoke`, { zone: rogue.zone }));
  assert.is(revoked.status, 200, JSON.stringify(revoked.body));

  const after = await push();
  assert.is(after.status, 401, JSON.stringify(after.body));
  assert.is(after.body.code, 'CERT_INVALID');
  assert.match(after.body.detail, /revoked/i);
  assert.not.ok((await http(`${tree.com.url}/v1/zone`)).body.delegations.some((d: any) => d.zone === rogue.zone), 'withdrawn from /v1/zone');
  const nx = await ref();
  assert.is(nx.status, 404, 'no referral any more');
  assert.is(nx.body.status, 'NXDOMAIN');
  // the other child is untouched
  assert.is((await send(signedRaw(keep, 'POST', `${tree.com.url}/v1/push`, { zone: keep.zone, entries: [] }))).status, 200);

  const crl = await fetch(`${tree.com.url}/v1/crl`);
  assert.is(crl.status, 200);
  assert.match(crl.headers.get('content-type') ?? '', /pkix-crl/);
  const crlPem = await crl.text();
  const f = (name: string, text: string) => (writeFileSync(join(tree.dir, name), text), join(tree.dir, name));
  const args = (leaf: string) => ['verify', '-crl_check', '-CAfile', f('root.pem', rogue.chain.at(-1)!), '-untrusted', f('com.pem', rogue.chain[0]!), '-CRLfile', f('com.crl', crlPem), leaf];
  const refusedByOpenssl = openssl(args(f('rogue.pem', rogue.certificate)));
  assert.not.ok(refusedByOpenssl.ok, refusedByOpenssl.out);
  assert.match(refusedByOpenssl.out, /certificate revoked/);
  const accepted = openssl(args(f('keeper.pem', keep.certificate)));
  assert.ok(accepted.ok, `the same CRL accepts the child that was not revoked: ${accepted.out}`);
});

t('an ancestor revokes: com refuses the revoked registry once it has refreshed the root CRL', async () => {
  const org = await registerChild(tree.root, 'org');
  const asOrg = () => send(signedRaw(org, 'POST', `${tree.com.url}/v1/push`, { zone: org.zone, entries: [] }));
  const before = await asOrg();
  assert.is(before.status, 403, 'a valid chain: refused only because org is not below com');
  assert.is(before.body.code, 'NOT_PERMITTED');
  const res = await send(signedRaw(materialOf(tree.root), 'POST', `${tree.root.url}/v1/admin/revoke`, { zone: org.zone }));
  assert.is(res.status, 200, JSON.stringify(res.body));
  // com fetches the root's CRL every crlRefreshMs (200 ms here); wait for its next round
  let after = await asOrg();
  for (let i = 0; i < 100 && after.status !== 401; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await asOrg();
  }
  assert.is(after.status, 401, JSON.stringify(after.body));
  assert.is(after.body.code, 'CERT_INVALID');
  assert.match(after.body.detail, /revoked/i);
  const report = await tree.com.ctx.identityServices!.crls.refresh();
  assert.equal(report, { [ROOT]: 'unchanged' });
});

t('a node without a registry identity answers signed endpoints 503 UNAVAILABLE', async () => {
  const plain = await startTestNode();
  try {
    const root = materialOf(tree.root);
    const sync = await send(signedRaw(root, 'GET', `${plain.url}/v1/sync?since=0`));
    assert.is(sync.status, 503);
    assert.is(sync.body.code, 'UNAVAILABLE');
    const push = await send(signedRaw(root, 'POST', `${plain.url}/v1/push`, { zone: ROOT, entries: [] }));
    assert.is(push.status, 503);
  } finally {
    await plain.close();
  }
});

t('with Redis configured: replays refused through Redis; Redis stopped → 503 NONCE_STORE_DOWN, not accepted', async () => {
  if (!redisAvailable()) return console.log('  (skipped: no redis-server)');
  const redis = await startRedis();
  const other = await identityTree({ redisUrl: redis.url });
  try {
    const child = await registerChild(other.com, 'acme-labs.com');
    const body = { zone: child.zone, entries: [await putEntry('bot', 'acme-labs.com')] };
    const rec = signedRaw(child, 'POST', `${other.com.url}/v1/push`, body);
    assert.is((await send(rec)).status, 200);
    assert.is((await send(rec)).body.code, 'REPLAY');
    await redis.kill();
    const down = await send(signedRaw(child, 'POST', `${other.com.url}/v1/push`, body));
    assert.is(down.status, 503, JSON.stringify(down.body));
    assert.is(down.body.code, 'NONCE_STORE_DOWN');
    const sync = await send(signedRaw(materialOf(other.root), 'GET', `${other.com.url}/v1/sync?since=0`));
    assert.is(sync.status, 503, 'sync pulls are refused too');
  } finally {
    await other.close();
    await redis.stop();
  }
  assert.ok(COM);
});

t.run();

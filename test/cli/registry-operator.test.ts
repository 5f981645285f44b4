// The parent operator's commands as a user runs them: invite (policy.register "token":
// a token works once and not after it expires) and revoke (the delegation withdrawn, the
// serial on the CRL that OpenSSL reads). Both are signed with the node's own key, found
// from its zone file and the demo certificates.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { http, ROOT } from '../helpers/node.js';
import { COM, identityTree } from '../identity/helpers.js';
import { stewardRegistry } from './registry-helpers.js';

const t = suite('steward-registry invite + revoke');
let tree: Awaited<ReturnType<typeof identityTree>>;
let zoneFile: string;
t.before(async () => {
  tree = await identityTree({ policy: { register: 'token' } });
  zoneFile = join(tree.dir, 'com.json');
  writeFileSync(zoneFile, JSON.stringify({ zone: COM, parent: { zone: ROOT, url: tree.root.url }, listen: { host: '127.0.0.1', port: 0 } }));
  const keys = await Promise.all(['a', 'b', 'c'].map((n) => stewardRegistry(['keygen', '--out', join(tree.dir, n, 'identity'), '--alg', 'p256'])));
  for (const k of keys) assert.is(k.code, 0, k.stderr);
});
t.after(async () => tree.close());

const operator = () => ['--zone-file', zoneFile, '--certs-dir', tree.certs, '--registry', tree.com.url];
const invite = (namespace: string, ttl = '24h') => stewardRegistry(['invite', '--namespace', namespace, '--ttl', ttl, ...operator()]);
const registerCli = (key: string, namespace: string, token?: string) =>
  stewardRegistry(['register', '--parent', tree.com.url, '--namespace', namespace, '--pubkey', join(tree.dir, key, 'identity', 'registry.pub.pem'), '--endpoint', 'http://127.0.0.1:9', ...(token ? ['--token', token] : [])]);
const tokenOf = (out: string) => /\(one use\): (\S+)/.exec(out)![1]!;

t('without a token: 403 REGISTER_FORBIDDEN, exit 1', async () => {
  const r = await registerCli('a', 'acme-labs.com');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /needs a register token .* \(REGISTER_FORBIDDEN\)/);
});

t('invite → register with the token works once; its second use is 403', async () => {
  const inv = await invite('acme-labs.com');
  assert.is(inv.code, 0, inv.stderr);
  const token = tokenOf(inv.stdout);
  const expires = Date.parse(/Expires: (\S+)/.exec(inv.stdout)![1]!);
  assert.ok(Math.abs(expires - Date.now() - 86_400_000) < 120_000, 'expires in 24 h');
  const ok = await registerCli('a', 'acme-labs.com', token);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Namespace reserved: acme-labs\.com/);
  const again = await registerCli('b', 'beta-labs.com', token);
  assert.is(again.code, 1, again.stderr);
  assert.match(again.stderr, /the token was already used .*\(REGISTER_FORBIDDEN\)/);
  const wrong = await invite('x.y.com');
  assert.is(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /not exactly one label below/);
});

t('a token past its ttl (1 s) is 403', async () => {
  const inv = await invite('gamma-labs.com', '1s');
  assert.is(inv.code, 0, inv.stderr);
  await new Promise((r) => setTimeout(r, 1_500));
  const late = await registerCli('c', 'gamma-labs.com', tokenOf(inv.stdout));
  assert.is(late.code, 1, late.stderr);
  assert.match(late.stderr, /the token expired .*\(REGISTER_FORBIDDEN\)/);
});

t("an invite signed by another registry's key (a child's) is 403 NOT_PERMITTED", async () => {
  const none = await stewardRegistry(['invite', '--namespace', 'delta.com', '--data-dir', join(tree.dir, 'b'), '--registry', tree.com.url]);
  assert.is(none.code, 2, 'no registered identity there: usage');
  assert.match(none.stderr, /holds no registered identity/);
  // acme-labs' registered identity (register wrote it beside its key) signing com's admin route:
  const child = await stewardRegistry(['invite', '--namespace', 'delta.com', '--data-dir', join(tree.dir, 'a'), '--registry', tree.com.url]);
  assert.is(child.code, 1, child.stderr);
  assert.match(child.stderr, /only com\.steward-registry\.org itself .*\(NOT_PERMITTED\)/);
});

t('revoke withdraws the delegation and puts the serial on GET /v1/crl', async () => {
  const child = `acme-labs.${COM}`;
  const before = await http(`${tree.com.url}/v1/resolve?name=${encodeURIComponent(`bot.${child}`)}&rd=0`);
  assert.is(before.body.status, 'REFERRAL');
  const r = await stewardRegistry(['revoke', '--zone', 'acme-labs.com', '--reason', 'key compromise drill', ...operator()]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`✅ Revoked: ${child.replace(/\./g, '\\.')}`));
  const serial = /Certificate serial ([0-9a-f]+)/.exec(r.stdout)![1]!;

  const zone = await http(`${tree.com.url}/v1/zone`);
  assert.not.ok(zone.body.delegations.some((d: any) => d.zone === child), '/v1/zone no longer lists it');
  const after = await http(`${tree.com.url}/v1/resolve?name=${encodeURIComponent(`bot.${child}`)}&rd=0`);
  assert.is.not(after.body.status, 'REFERRAL', JSON.stringify(after.body));

  const crl = await fetch(`${tree.com.url}/v1/crl`);
  const crlFile = join(tree.dir, 'com.crl.pem');
  writeFileSync(crlFile, await crl.text());
  const text = execFileSync('openssl', ['crl', '-in', crlFile, '-noout', '-text']).toString();
  assert.ok(text.replace(/[\s:]/g, '').toLowerCase().includes(`serialnumber${serial.replace(/^0+/, '')}`), text);

  const twice = await stewardRegistry(['revoke', '--zone', 'no-such-labs.com', ...operator()]);
  assert.is(twice.code, 1, twice.stderr);
  assert.match(twice.stderr, /has no delegation .*\(NOT_FOUND\)/);
  const reregister = await registerCli('a', 'acme-labs.com');
  assert.is(reregister.code, 1);
  assert.match(reregister.stderr, /was revoked .*\(REGISTER_FORBIDDEN\)/);
});

t.run();

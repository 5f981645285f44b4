// steward-registry keygen and register as a user runs them, against a real parent (root
// and com with demo identities, on port 0): the seed's lines, 0600 keys, a chain OpenSSL
// verifies, and each refusal with its detail and exit code.
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COM, identityTree, newChild, register } from '../identity/helpers.js';
import { closedPort } from './helpers.js';
import { stewardRegistry } from './registry-helpers.js';

const t = suite('steward-registry keygen + register');
let tree: Awaited<ReturnType<typeof identityTree>>;
t.before(async () => {
  tree = await identityTree();
});
t.after(async () => tree.close());

const keygen = (dir: string, alg = 'p256') => stewardRegistry(['keygen', '--out', dir, '--alg', alg]);
const registerCli = (dir: string, namespace: string, extra: string[] = []) =>
  stewardRegistry(['register', '--parent', tree.com.url, '--namespace', namespace, '--pubkey', join(dir, 'registry.pub.pem'), '--endpoint', 'http://127.0.0.1:9', ...extra]);

t('keygen writes registry.key 0600 and registry.pub.pem, prints the SPKI fingerprint, and never overwrites', async () => {
  const dir = join(tree.dir, 'kg');
  const r = await keygen(dir);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines[0], 'Generating registry keypair...');
  assert.is(lines[1], `✅ Private key: ${join(dir, 'registry.key')}`);
  assert.is(lines[2], `✅ Public key: ${join(dir, 'registry.pub.pem')}`);
  assert.is(statSync(join(dir, 'registry.key')).mode & 0o777, 0o600);
  const spki = createPublicKey(readFileSync(join(dir, 'registry.pub.pem'), 'utf8')).export({ type: 'spki', format: 'der' });
  assert.is(lines[3], `✅ Fingerprint: sha256:${createHash('sha256').update(spki).digest('hex')}`);
  const before = readFileSync(join(dir, 'registry.key'), 'utf8');
  const again = await keygen(dir);
  assert.is(again.code, 2);
  assert.match(again.stderr, /already exists; refusing to overwrite/);
  assert.is(readFileSync(join(dir, 'registry.key'), 'utf8'), before, 'the key is untouched');
});

t('keygen defaults to RSA-4096', async () => {
  const dir = join(tree.dir, 'kg-rsa');
  const r = await stewardRegistry(['keygen', '--out', dir]);
  assert.is(r.code, 0, r.stderr);
  const key = createPublicKey(readFileSync(join(dir, 'registry.pub.pem'), 'utf8'));
  assert.is(key.asymmetricKeyType, 'rsa');
  assert.is(key.asymmetricKeyDetails?.modulusLength, 4096);
});

t("register prints the seed's lines and writes a chain that openssl verify accepts", async () => {
  const dir = join(tree.dir, 'acme');
  assert.is((await keygen(dir)).code, 0);
  const r = await registerCli(dir, 'acme-labs.com', ['--region', 'eu-west']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.slice(0, 4), ['Registering with parent...', '✅ Namespace reserved: acme-labs.com', '✅ Certificate issued (valid 1 year)', '✅ Federation active']);
  const ms = Number(/registered in (\d+) ms/.exec(r.stdout)?.[1]);
  console.log(`    register: ${ms} ms for POST /v1/register as the CLI saw it, ${r.ms} ms for the whole command`);
  const chain = readFileSync(join(dir, 'registry.chain.pem'), 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)!;
  assert.is(chain.length, 2, 'com, then the root');
  writeFileSync(join(dir, 'root.pem'), chain[1]!);
  writeFileSync(join(dir, 'untrusted.pem'), chain[0]!);
  const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'untrusted.pem'), join(dir, 'registry.pem')]).toString();
  assert.match(out, /registry\.pem: OK/);
  const reg = JSON.parse(readFileSync(join(dir, 'registration.json'), 'utf8'));
  assert.equal(reg.endpoints, [{ url: 'http://127.0.0.1:9', region: 'eu-west' }]);
  const zone = await (await fetch(`${tree.com.url}/v1/zone`)).json();
  assert.ok(zone.delegations.some((d: any) => d.zone === `acme-labs.${COM}`), 'the parent lists the delegation');

  const again = await registerCli(dir, 'acme-labs.com');
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /Namespace reserved: acme-labs\.com \(already registered to this key: renewed\)/);
});

t('refusals: taken 409 and confusable 422 exit 1, too deep 400 exits 2, each with the parent\'s detail', async () => {
  const other = join(tree.dir, 'other');
  assert.is((await keygen(other)).code, 0);
  const taken = await registerCli(other, 'acme-labs.com');
  assert.is(taken.code, 1, taken.stderr);
  assert.match(taken.stderr, /acme-labs\.com is already registered .* \(NAMESPACE_TAKEN\)/);
  assert.not.match(taken.stdout, /Namespace reserved/);
  assert.not.ok(existsSync(join(other, 'registry.pem')), 'nothing saved');

  const paypal = await newChild('paypal.com');
  assert.is((await register(tree.com, { namespace: 'paypal.com', csr: paypal.csr, endpoints: [{ url: 'http://127.0.0.1:9' }] })).status, 201);
  const [conf, deep] = await Promise.all([registerCli(other, 'paypa1.com'), registerCli(other, 'x.y.com')]);
  assert.is(conf.code, 1, conf.stderr);
  assert.match(conf.stderr, /confusable with paypal\.com.* \(NAMESPACE_CONFUSABLE\)/);
  assert.is(deep.code, 2, deep.stderr);
  assert.match(deep.stderr, /more than one label below .* \(BAD_NAME\)/);
});

t('usage errors exit 2; an unreachable parent exits 3', async () => {
  const dir = join(tree.dir, 'acme');
  const port = await closedPort();
  const [noPub, mismatch, down] = await Promise.all([
    stewardRegistry(['register', '--parent', tree.com.url, '--namespace', 'x.com']),
    stewardRegistry(['register', '--parent', tree.com.url, '--namespace', 'x.com', '--pubkey', join(tree.dir, 'other', 'registry.pub.pem'), '--key', join(dir, 'registry.key')]),
    stewardRegistry(['register', '--parent', `http://127.0.0.1:${port}`, '--namespace', 'x.com', '--pubkey', join(dir, 'registry.pub.pem')]),
  ]);
  assert.is(noPub.code, 2);
  assert.match(noPub.stderr, /--pubkey/);
  assert.is(mismatch.code, 2);
  assert.match(mismatch.stderr, /is not the public half of/);
  assert.is(down.code, 3, down.stderr);
  assert.match(down.stderr, /ECONNREFUSED|connection refused/);
  const help = await stewardRegistry(['register', '--help']);
  assert.is(help.code, 0);
  for (const flag of ['--parent', '--namespace', '--pubkey', '--key', '--endpoint', '--region', '--token', '--out']) assert.ok(help.stdout.includes(flag), flag);
  assert.match(help.stdout, /registry\.key beside --pubkey/);
});

t.run();

// Mutual TLS (SPEC §5): a node given TLS material serves HTTPS only and requires client
// certificates chaining to the federation root. A client without a certificate, or with
// one from another root, cannot connect (the handshake fails: no HTTP status at all); a
// registry presenting its registry certificate gets answers — the resolve fast path, a
// signed push sent by a real child node's peer client, a signed sync pull, CRLs.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Agent, request } from 'undici';
import { pushToParent } from '../../src/federation/push/send.js';
import { demoMaterial } from '../../src/identity/material.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { clientTls } from '../../src/node/peer.js';
import { PeerClient } from '../../src/peer/index.js';
import { createRootCa, generateKeys, issueRegistryCertificate, materialPaths, privateKeyToPem } from '../../src/pki/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { ROOT } from '../helpers/node.js';
import { COM } from './helpers.js';
import { putEntry } from './exchange.js';

const ACME = `acme-labs.${COM}`;
const t = suite('mutual TLS');
const s: { dir: string; root: RunningNode; com: RunningNode; acme: RunningNode; rootPem: string } = {} as any;
const zone = (z: string, parent: { zone: string; url: string } | undefined, extra: Record<string, unknown> = {}) =>
  parseZoneFile({ zone: z, ...(parent ? { parent } : {}), listen: { host: '127.0.0.1', port: 0 }, region: 'eu-west', policy: { upstreams: { allow_private: true } }, ...extra });

t.before(async () => {
  s.dir = await mkdtemp(join(tmpdir(), 'steward-mtls-'));
  const certs = join(s.dir, 'certs');
  const [rootM, comM, acmeM] = [await demoMaterial(ROOT, ROOT, certs), await demoMaterial(COM, ROOT, certs), await demoMaterial(ACME, ROOT, certs)];
  s.rootPem = rootM.rootPem;
  // com's TLS server certificate, issued with com's registry key: its zone name and 127.0.0.1
  const com = materialPaths(certs, COM);
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: s.dir, stdio: 'pipe' });
  await writeFile(join(s.dir, 'ext.cnf'), `subjectAltName=DNS:${COM},IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${COM}`]);
  run(['x509', '-req', '-in', 'tls.csr', '-CA', com.cert, '-CAkey', com.key, '-CAcreateserial', '-days', '30', '-extfile', 'ext.cnf', '-out', 'tls.pem']);
  await writeFile(join(s.dir, 'tls-chain.pem'), execFileSync('cat', [join(s.dir, 'tls.pem'), com.cert]));

  s.root = await startNode({ config: zone(ROOT, undefined), port: 0, identity: rootM, dataDir: join(s.dir, 'root'), fsync: false });
  s.com = await startNode({
    config: zone(COM, { zone: ROOT, url: s.root.url }, { tls: { cert: join(s.dir, 'tls-chain.pem'), key: join(s.dir, 'tls.key') } }),
    port: 0, identity: comM, dataDir: join(s.dir, 'com'), fsync: false,
  });
  s.acme = await startNode({ config: zone(ACME, { zone: COM, url: s.com.url }), port: 0, identity: acmeM, dataDir: join(s.dir, 'acme'), fsync: false });
});
t.after(async () => {
  await s.acme?.close();
  await s.com?.close();
  await s.root?.close();
  await rm(s.dir, { recursive: true, force: true });
});

/** A raw HTTPS request with the given TLS client options: the status, or the error that ended it. */
async function tryGet(url: string, tls: Record<string, unknown>): Promise<number | string> {
  const agent = new Agent({ connect: { timeout: 5_000, ...tls } });
  try {
    const res = await request(url, { dispatcher: agent, headersTimeout: 5_000, bodyTimeout: 5_000 });
    await res.body.text();
    return res.statusCode;
  } catch (err) {
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    return `${e.code ?? e.cause?.code ?? ''} ${e.message ?? ''}`;
  } finally {
    await agent.destroy();
  }
}

t('the node serves HTTPS only', async () => {
  assert.match(s.com.url, /^https:\/\//);
  const plain = await tryGet(s.com.url.replace('https:', 'http:') + '/healthz', {});
  assert.type(plain, 'string', `plain HTTP got an answer: ${plain}`);
});

/** The server-side TLS errors while `fn` runs (what the handshake refused). */
async function tlsErrors(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const on = (err: Error) => seen.push(err.message);
  s.com.server.on('tlsClientError', on);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    s.com.server.off('tlsClientError', on);
  }
  return seen;
}

t('a client without a certificate cannot connect', async () => {
  let r: number | string = 0;
  const errors = await tlsErrors(async () => (r = await tryGet(`${s.com.url}/healthz`, { ca: s.rootPem })));
  assert.type(r, 'string', `got HTTP ${r}`);
  assert.ok(errors.some((m) => /certificate/i.test(m)), `server saw: ${errors.join(" | ")}`);
  console.log(`  no certificate: client ${r}; server ${errors[0]}`);
  // the same request with the registry certificate goes through
  assert.is(await tryGet(`${s.com.url}/healthz`, clientTls(s.acme.ctx.identity!) as Record<string, unknown>), 200);
});

t('a client with a registry certificate from another root cannot connect', async () => {
  const keys = await generateKeys('p256');
  const otherRoot = await createRootCa(ROOT, keys);
  const leafKeys = await generateKeys('p256');
  const leaf = await issueRegistryCertificate(ACME, leafKeys.publicKey, { certificate: otherRoot.pem, keys });
  let r: number | string = 0;
  const errors = await tlsErrors(async () => (r = await tryGet(`${s.com.url}/healthz`, { ca: s.rootPem, cert: leaf.pem, key: privateKeyToPem(leafKeys) })));
  assert.type(r, 'string', `got HTTP ${r}`);
  // (node:tls destroys a socket whose client certificate fails verification without
  // naming why: the server sees the handshake end, the client a closed socket)
  assert.ok(errors.length > 0, 'the server ended the handshake');
  console.log(`  another root: client ${r}; server ${errors[0]}`);
});

t('a registry presenting its certificate gets answers, the resolve fast path included', async () => {
  const peer = new PeerClient({ allowPrivate: true, tls: clientTls(s.acme.ctx.identity!) });
  try {
    const health = await peer.getJson(`${s.com.url}/healthz`);
    assert.is(health.status, 200);
    const nx = await peer.getJson(`${s.com.url}/v1/resolve?name=nobody&rd=0`);
    assert.is(nx.status, 404);
    assert.is((nx.json as any).status, 'NXDOMAIN');
    assert.is((await peer.getJson(`${s.com.url}/v1/resolve?name=x.${ACME}&rd=0`)).status, 404);
  } finally {
    await peer.close();
  }
});

t('a child node pushes to its mTLS parent with its signed peer client', async () => {
  const res = await pushToParent(s.acme.ctx.signedPeer!, s.com.url, ACME, [(await putEntry('bot', 'acme-labs.com')) as any]);
  assert.equal(res, { accepted: 1, duplicates: 0, rejected: [] });
  // pushing another zone's names is refused by the parent, and says so
  try {
    await pushToParent(s.acme.ctx.signedPeer!, s.com.url, ACME, [(await putEntry('x', 'vibe-agency.com')) as any]);
    assert.unreachable('should have been refused');
  } catch (err) {
    assert.is((err as any).extra?.peer_code, 'NOT_PERMITTED');
  }
});

t('the parent pulls sync over mutual TLS, signed; the child refreshes CRLs through it', async () => {
  const pull = await s.root.ctx.signedPeer!.signedJson('GET', `${s.com.url}/v1/sync?since=0`);
  assert.is(pull.status, 200, JSON.stringify(pull.json));
  const fromChild = await s.acme.ctx.signedPeer!.signedJson('GET', `${s.com.url}/v1/sync?since=0`);
  assert.is(fromChild.status, 403);
  const report = await s.acme.ctx.identityServices!.crls.refresh();
  // (the first round ran at start: now each CRL is held already, fetched, checked, unchanged)
  assert.equal(report, { [COM]: 'unchanged', [ROOT]: 'unchanged' });
});

t.run();

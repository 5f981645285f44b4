// The ancestor CRL refresh against a hostile or broken ancestor (a fake registry on port
// 0): a CRL signed by another key, a CRL for another issuer, an oversized body, an answer
// naming the wrong zone — each is ignored and the last good CRL stays in force; a
// genuine newer CRL replaces it and takes effect on the chain verdicts at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CrlRefresh } from '../../src/identity/crl-refresh.js';
import { NodeIdentity } from '../../src/identity/node-identity.js';
import { PeerClient } from '../../src/peer/index.js';
import { createRootCa, generateKeys, issueCrl, issueRegistryCertificate, toDer, keysFromPem } from '../../src/pki/index.js';
import { MemoryNonceStore } from '../../src/pki/httpsig/index.js';
import { ROOT } from '../helpers/node.js';
import { testCertsDir, zoneMaterial } from '../helpers/signed.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COM } from './helpers.js';

const t = suite('ancestor CRL refresh');
const fake = { zone: ROOT as string, crl: '' };
let server: Server;
let url = '';
let identity: NodeIdentity;
let refresh: CrlRefresh;
const peer = new PeerClient({ allowPrivate: true, timeoutMs: 2_000 });
let revokedChain: Uint8Array[] = [];

t.before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/v1/zone') return res.end(JSON.stringify({ zone: fake.zone, parent: null }));
    if (req.url === '/v1/crl') return res.end(fake.crl);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  identity = await NodeIdentity.open({ zone: COM, material: await zoneMaterial(COM), nonces: new MemoryNonceStore() });
  refresh = new CrlRefresh({ identity, peer, parent: { zone: ROOT, endpoints: [{ url }] }, intervalMs: 60_000, maxCrlBytes: 64 * 1024 });
});
t.after(async () => {
  await refresh.close();
  await identity.close();
  await peer.close();
  await new Promise((r) => server.close(r));
});

const rootIssuer = async () => {
  const m = await zoneMaterial(ROOT);
  return { certificate: m.certificatePem, keys: keysFromPem(readFileSync(join(await testCertsDir(), 'root-ca.key'), 'utf8')) };
};

t('a genuine CRL is taken; a revoked sibling under the root is refused from then on', async () => {
  const root = await rootIssuer();
  const orgKeys = await generateKeys('p256');
  const org = await issueRegistryCertificate(`org.${ROOT}`, orgKeys.publicKey, root);
  const chain = [org.der, toDer(root.certificate)];
  revokedChain = chain;
  assert.ok(identity.chains.verify(chain).ok, 'valid before');
  fake.crl = (await issueCrl({ issuer: root, revoked: [{ serialHex: org.serial, revokedAt: new Date() }] })).pem;
  assert.equal(await refresh.refresh(), { [ROOT]: 'updated' });
  const v = identity.chains.verify(chain);
  assert.not.ok(v.ok);
  assert.is((v as { reason: string }).reason, 'REVOKED');
  assert.equal(await refresh.refresh(), { [ROOT]: 'unchanged' });
});

t('forged, foreign, oversized CRLs and a wrong zone are ignored; the last good CRL stays', async () => {
  const root = await rootIssuer();
  const good = fake.crl;
  const otherKeys = await generateKeys('p256');
  const otherRoot = await createRootCa(ROOT, otherKeys);
  // same issuer name, another key (a forger's): the signature does not verify with OUR root
  fake.crl = (await issueCrl({ issuer: { certificate: otherRoot.pem, keys: otherKeys }, revoked: [] })).pem;
  assert.equal(await refresh.refresh(), { [ROOT]: 'invalid' });
  // com's own CRL offered as the root's
  const com = await zoneMaterial(COM);
  fake.crl = (await issueCrl({ issuer: { certificate: com.certificatePem, keys: com.keys }, revoked: [] })).pem;
  assert.equal(await refresh.refresh(), { [ROOT]: 'invalid' });
  fake.crl = 'x'.repeat(200 * 1024);
  assert.equal(await refresh.refresh(), { [ROOT]: 'unreachable' });
  fake.crl = 'not a CRL';
  assert.equal(await refresh.refresh(), { [ROOT]: 'unreachable' });
  fake.crl = good;
  fake.zone = `evil.${ROOT}`;
  assert.equal(await refresh.refresh(), { [ROOT]: 'no-url' }, 'an answer naming another zone is not the root');
  fake.zone = ROOT;
  // through all of it the revocation stayed in force
  assert.is((identity.chains.verify(revokedChain) as { reason?: string }).reason, 'REVOKED');
  const orgKeys = await generateKeys('p256');
  const fresh = await issueRegistryCertificate(`fresh.${ROOT}`, orgKeys.publicKey, root);
  assert.ok(identity.chains.verify([fresh.der, toDer(root.certificate)]).ok, 'a certificate not on the CRL still verifies');
});

t.run();

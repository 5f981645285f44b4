// Renewal (SPEC §5): a registered node renews its certificate once two-thirds of its
// lifetime has passed, with a signed register to its parent, and keeps working after the
// first certificate has expired. The parent issues 6-second certificates.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { enrol, parentZone } from '../../src/identity/enrol.js';
import { keyFingerprint } from '../../src/identity/node-identity.js';
import { identityDir, loadRegistered, saveRegistered, saveRegistration } from '../../src/identity/material.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { PeerClient } from '../../src/peer/index.js';
import { generateKeys, parseCertificate } from '../../src/pki/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { http, ROOT } from '../helpers/node.js';
import { COM, identityTree, signedFetch } from './helpers.js';

const t = suite('renewal');
let tree: Awaited<ReturnType<typeof identityTree>>;
let child: RunningNode | undefined;
t.before(async () => {
  tree = await identityTree({ policy: { certificate_lifetime_seconds: 6, upstreams: { allow_private: true } } });
});
t.after(async () => {
  await child?.close();
  await tree.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t('a child with a 6 s certificate renews it (signed, same key) and still works after the first one expired', async () => {
  const zone = `renew-labs.${COM}`;
  const peer = new PeerClient({ allowPrivate: true });
  const keys = await generateKeys('p256');
  const { rootDomain } = await parentZone(peer, tree.com.url);
  assert.is(rootDomain, ROOT);
  const first = await enrol(peer, { parentUrl: tree.com.url, namespace: 'renew-labs.com', rootDomain, keys, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  await peer.close();
  assert.is(first.notAfter.getTime() - first.notBefore.getTime(), 6_000);
  const dataDir = join(tree.dir, 'renew-labs');
  mkdirSync(dataDir, { recursive: true });
  saveRegistration(identityDir(dataDir), { parent: tree.com.url, namespace: 'renew-labs.com', zone, endpoints: [{ url: 'http://127.0.0.1:9' }] });
  saveRegistered(identityDir(dataDir), { keys, certificatePem: first.certificatePem, chainPems: first.chainPems });
  child = await startNode({
    config: parseZoneFile({ zone, parent: { zone: COM, url: tree.com.url }, listen: { host: '127.0.0.1', port: 0 }, policy: { upstreams: { allow_private: true } } }),
    port: 0, dataDir, fsync: false, identity: loadRegistered(identityDir(dataDir)), identityDir: identityDir(dataDir), renewCheckMs: 200,
  });

  // Wait until the first certificate has expired (it was valid for at most ~5 s from now).
  while (Date.now() < first.notAfter.getTime() + 1_000) await sleep(250);
  const id = child.ctx.identity!;
  assert.ok(id.leaf.notBefore > first.notBefore.getTime(), 'a newer certificate is in use');
  assert.ok(id.leaf.notAfter > Date.now(), 'and it is valid now');
  assert.is(keyFingerprint(id.leaf.publicKey), keyFingerprint(keys.publicKey), 'same key');
  const saved = parseCertificate(readFileSync(join(identityDir(dataDir), 'registry.pem'), 'utf8'));
  assert.ok(saved.notBefore > first.notBefore.getTime(), 'the renewed certificate is on disk');

  const delegation = (await http(`${tree.com.url}/v1/zone`)).body.delegations.find((d: any) => d.zone === zone);
  assert.ok(delegation, 'still delegated');
  assert.is(delegation.endpoints[0].url, 'http://127.0.0.1:9', 'the registered endpoint is kept across renewals');

  // It keeps working: a request signed with what it holds now is accepted by the parent.
  const push = await signedFetch({ keys, certificate: id.certificatePem, chain: id.chainPems }, 'POST', `${tree.com.url}/v1/push`, { zone, entries: [] });
  assert.is(push.status, 200, JSON.stringify(push.body));
  // ...and the first certificate, now expired, is not.
  const old = await signedFetch({ keys, certificate: first.certificatePem, chain: first.chainPems }, 'POST', `${tree.com.url}/v1/push`, { zone, entries: [] });
  assert.is(old.status, 401);
  assert.is(old.body.code, 'CERT_INVALID');
});

t.run();

// The seed's "Bootstrap new registry" story end to end on loopback: a root, com and org
// (demo identities in a temp certs directory, in process), then the real programs —
// `steward-registry serve --namespace acme-labs.com --parent <com>` makes its key,
// registers and serves; `steward publish` puts an agent there; `steward resolve` from
// org (another branch of the tree) walks org → root → com → acme-labs. A restart on
// another port reuses the identity and re-registers the new endpoint.
import { writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listen } from '../../src/http/listener.js';
import { demoMaterial } from '../../src/identity/material.js';
import { attachServer, createNode, type RunningNode } from '../../src/node/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { http, ROOT } from '../helpers/node.js';
import { steward, tempDir } from './helpers.js';
import { serveProcess, type Served } from './registry-helpers.js';

const COM = `com.${ROOT}`;
const ORG = `org.${ROOT}`;
const CHILD = `acme-labs.${COM}`;
const t = suite('bootstrap a registry');
let tmp: Awaited<ReturnType<typeof tempDir>>;
const nodes: RunningNode[] = [];
let child: Served | undefined;
let com: string;
let org: string;

t.before(async () => {
  tmp = await tempDir();
  const certs = join(tmp.dir, 'certs');
  // Listen first, so every zone config can name the others' real ports.
  const [lRoot, lCom, lOrg] = await Promise.all([0, 1, 2].map(() => listen('127.0.0.1', 0)));
  const loopback = { upstreams: { allow_private: true } };
  const zones = [
    { l: lRoot!, file: { zone: ROOT, listen: { port: 0 }, delegations: [{ zone: COM, endpoints: [{ url: lCom!.url }] }, { zone: ORG, endpoints: [{ url: lOrg!.url }] }], policy: loopback } },
    { l: lCom!, file: { zone: COM, parent: { zone: ROOT, url: lRoot!.url }, listen: { port: 0 }, policy: loopback } },
    { l: lOrg!, file: { zone: ORG, parent: { zone: ROOT, url: lRoot!.url }, listen: { port: 0 }, policy: loopback } },
  ];
  for (const z of zones) {
    const config = parseZoneFile(z.file);
    const node = await createNode({ config, dataDir: join(tmp.dir, config.zone), fsync: false, identity: await demoMaterial(config.zone, ROOT, certs), origins: [z.l.url] });
    z.l.attach(node.app.fetch, node.fast);
    nodes.push(attachServer(node, z.l));
  }
  com = lCom!.url;
  org = lOrg!.url;
});

t.after(async () => {
  await child?.stop();
  for (const n of nodes.reverse()) await n.close();
  await tmp.cleanup();
});

const agentName = `courier.${CHILD}`;

t('serve --namespace --parent: keygen + register on first start, then serves the new zone', async () => {
  const dataDir = join(tmp.dir, 'acme-labs');
  const started = Date.now();
  child = await serveProcess(['--namespace', 'acme-labs.com', '--parent', com, '--port', '0', '--data-dir', dataDir, '--alg', 'p256']);
  console.log(`    serve --namespace: first start (keygen + register + listen) printed its URL after ${Date.now() - started} ms`);
  assert.is(child.zone, CHILD);
  const seed = child.stdout.split('\n').filter((l) => /^(Generating|Registering|✅)/.test(l));
  assert.is(seed[0], 'Generating registry keypair...');
  assert.match(seed[3]!, /^✅ Fingerprint: sha256:[0-9a-f]{64}$/);
  assert.equal(seed.slice(4), ['Registering with parent...', '✅ Namespace reserved: acme-labs.com', '✅ Certificate issued (valid 1 year)', '✅ Federation active']);
  assert.is(statSync(join(dataDir, 'identity', 'registry.key')).mode & 0o777, 0o600);
  const saved = JSON.parse(readFileSync(join(dataDir, 'zone.json'), 'utf8'));
  assert.equal(saved.parent, { zone: COM, url: com });
  assert.is(saved.policy.upstreams.allow_private, true, 'a loopback parent: the demo');

  const zone = await http(`${child.url}/v1/zone`);
  assert.is(zone.body.zone, CHILD);
  assert.is(zone.body.namespace, 'acme-labs.com');
  assert.is(zone.body.chain.length, 2);
  const parent = await http(`${com}/v1/zone`);
  const d = parent.body.delegations.find((x: any) => x.zone === CHILD);
  assert.equal(d?.endpoints, [{ url: child.url }], 'the parent refers to the listen URL');
});

t('steward publish there, steward resolve from org: org → root → com → acme-labs', async () => {
  const key = join(tmp.dir, 'publisher.json');
  assert.is((await steward(['keygen', '--out', key])).code, 0);
  const manifest = join(tmp.dir, 'courier.json');
  await writeFile(manifest, JSON.stringify({
    name: 'courier', version: '1.0.0', description: 'Carries parcels for the bootstrap test', capabilities: ['carry_parcels'],
    endpoints: [{ url: 'https://agents.acme-labs.com/courier', protocol: 'a2a' }], visibility: 'public',
  }));
  const pub = await steward(['publish', manifest, '--key', key, '--registry', child!.url]);
  assert.is(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /Agent published: courier\.acme-labs\.com\.steward-registry\.org 1\.0\.0/);

  const r = await steward(['resolve', agentName, '--registry', org, '--json']);
  assert.is(r.code, 0, r.stderr);
  const answer = JSON.parse(r.stdout);
  assert.is(answer.status, 'NOERROR');
  assert.is(answer.name, agentName);
  assert.is(answer.answer.name, 'courier');
  // path = the zones org asked, in order: the root, which refers to com, which refers to the new zone.
  assert.equal(answer.path, [ROOT, COM, CHILD], JSON.stringify(answer.path));
  assert.is(answer.zone, CHILD, 'answered by the new zone');
});

t('a restart (another port 0) reuses the identity, re-registers its new URL, and is found again', async () => {
  const dataDir = join(tmp.dir, 'acme-labs');
  const cert = readFileSync(join(dataDir, 'identity', 'registry.pem'), 'utf8');
  assert.is(await child!.stop(), 0);
  child = await serveProcess(['--namespace', 'acme-labs.com', '--port', '0', '--data-dir', dataDir]);
  assert.not.match(child.stdout, /Generating|Registering/, 'nothing made again');
  assert.ok(existsSync(join(dataDir, 'identity', 'registry.pem')));
  const zone = await http(`${child.url}/v1/zone`);
  assert.is.not(zone.body.certificate, cert, 'renewed with the new endpoint (a signed register)');
  const parent = await http(`${com}/v1/zone`);
  assert.equal(parent.body.delegations.find((x: any) => x.zone === CHILD)?.endpoints, [{ url: child!.url }]);
  const again = await http(`${child!.url}/v1/resolve?name=${encodeURIComponent(agentName)}`);
  assert.is(again.status, 200, 'its data survived the restart');
  const fromOrg = await http(`${org}/v1/resolve?name=${encodeURIComponent(agentName)}`);
  assert.is(fromOrg.status, 200, JSON.stringify(fromOrg.body));
});

t.run();

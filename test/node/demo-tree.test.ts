// The demo tree as the seed draws it (zones/): github has user and organisation
// sub-zones, four levels from the root, joined by the register flow (POST /v1/register)
// when the federation has certificates, and the same agent name lives in two namespaces
// (the seed's conflict scenario 1). Without certificates the same tree is joined by
// delegations put into the parents, so bare test federations see it too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { http, ROOT } from '../helpers/node.js';

const configs = loadZoneDir(fileURLToPath(new URL('../../zones', import.meta.url)));
const z = (ns: string) => `${ns}.${ROOT}`;
const KIMEISELE = z('kimeisele.user.github');
const resolve = (node: { url: string }, name: string) => http(`${node.url}/v1/resolve?name=${name}`);

async function check(fed: Federation, registered: boolean) {
  const root = fed.byZone(ROOT);
  // Four levels: root → github → user.github → kimeisele.user.github, each delegating the next.
  const chain = [ROOT, z('github'), z('user.github'), KIMEISELE];
  for (let i = 0; i < chain.length - 1; i++) {
    const { body } = await http(`${fed.byZone(chain[i]!).url}/v1/zone`);
    const d = body.delegations.find((x: any) => x.zone === chain[i + 1]);
    assert.ok(d, `${chain[i]} delegates ${chain[i + 1]}`);
    if (registered && i >= 1) assert.match(d.fingerprint ?? '', /^sha256:/, `${chain[i + 1]} registered with a certificate`);
  }
  const kim = await resolve(root, `vibe-agency-orchestrator.kimeisele.user.github`);
  assert.is(kim.status, 200, JSON.stringify(kim.body));
  assert.is(kim.body.answer.id, `vibe-agency-orchestrator.${KIMEISELE}`);
  assert.equal(kim.body.path.slice(-3), [z('github'), z('user.github'), KIMEISELE]);
  // The same name in another namespace is another agent (conflict scenario 1: both kept).
  const vibe = await resolve(root, `vibe-agency-orchestrator.vibe-agency.com`);
  assert.is(vibe.status, 200);
  assert.is.not(vibe.body.answer.fingerprint + vibe.body.answer.version, kim.body.answer.fingerprint + kim.body.answer.version);
  assert.is(vibe.body.answer.zone, z('vibe-agency.com'));
  for (const [name, ns] of [['community-orchestrator', 'johndoe.user.github'], ['claude-code-agent', 'anthropics.org.github']]) {
    const r = await resolve(fed.byZone(z('vibe-agency.com')), `${name}.${ns}`);
    assert.is(r.status, 200, `${name}.${ns}: ${JSON.stringify(r.body)}`);
    assert.is(r.body.zone, z(ns));
  }
}

test('zones/ holds the seed tree, github with user/org sub-zones four levels deep', () => {
  const zones = configs.map((c) => c.zone);
  for (const ns of ['com', 'org', 'github', 'vibe-agency.com', 'acme-corp.com', 'openai.org', 'anthropic.org', 'user.github', 'org.github', 'kimeisele.user.github', 'johndoe.user.github', 'anthropics.org.github']) {
    assert.ok(zones.includes(z(ns)), ns);
  }
  const names = configs.flatMap((c) => (c.agents as { name: string }[]).map((a) => `${a.name}.${c.zone}`));
  const twice = names.filter((n) => n.startsWith('vibe-agency-orchestrator.'));
  assert.equal(twice.sort(), [`vibe-agency-orchestrator.${KIMEISELE}`, `vibe-agency-orchestrator.${z('vibe-agency.com')}`]);
  assert.ok(configs.filter((c) => c.join === 'register').length >= 5);
});

test('with certificates (the demo boot): sub-zones join by registering, and again after a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steward-demo-tree-'));
  try {
    for (const round of [1, 2]) {
      const fed = await startFederation(configs, { ephemeralPorts: true, fsync: false, certsDir: join(dir, 'certs'), dataDir: join(dir, 'data') });
      try {
        await check(fed, true);
        const { body } = await http(`${fed.byZone(KIMEISELE).url}/v1/zone`);
        assert.is(body.chain.length, 3, `round ${round}: issued by user.github, then github, then the root`);
      } finally {
        await fed.close();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('without certificates: the same tree by delegations', async () => {
  const fed = await startFederation(configs, { ephemeralPorts: true, fsync: false });
  try {
    await check(fed, false);
  } finally {
    await fed.close();
  }
});

test.run();

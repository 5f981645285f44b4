// The full-disk scenario of issue 7 finding 5, against a running node's URL: whatever makes
// the disk full (an injected failing file handle, a real tmpfs) is passed in as fill/free.
import * as assert from 'uvu/assert';
import { generatePublisherKey, signCompact } from '../../src/records/keys.js';
import { http, manifest } from '../helpers/node.js';
import { pullSync } from '../helpers/signed.js';

export interface Disk {
  fill(): Promise<void>;
  free(): Promise<void>;
}

// Big enough (~8 KB a line) that its write always needs space the full disk does not have.
const big = (name: string, version: string, cap: string) =>
  manifest({
    name, version, capabilities: [cap], description: 'd'.repeat(1024),
    endpoints: [1, 2, 3].map((i) => ({ url: `https://agents.vibe-agency.com/${name}/${i}/${'p'.repeat(1900)}`, protocol: 'a2a', region: 'eu-west' })),
  });

export async function fullDiskScenario(url: string, disk: Disk, restart: () => Promise<string>) {
  const key = await generatePublisherKey('ES256');
  const publish = async (m: object) =>
    http(`${url}/v1/agents`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await signCompact(m, key) });
  const unpublish = async (name: string, version: string) =>
    http(`${url}/v1/agents/${name}`, { method: 'DELETE', headers: { 'content-type': 'application/jose' }, body: await signCompact({ name, namespace: 'vibe-agency.com', deleted: true, version }, key) });
  const health = async () => (await http(`${url}/healthz`)).body;

  assert.is((await publish(big('alpha', '1.0.0', 'cap_alpha'))).status, 201);
  const serial = (await health()).serial;
  assert.is((await health()).status, 'ok');

  await disk.fill();
  const t0 = Date.now();
  for (const [what, res] of [
    ['a new name', await publish(big('beta', '1.0.0', 'cap_beta'))],
    ['a new version', await publish(big('alpha', '2.0.0', 'cap_alpha2'))],
    ['an unpublish', await unpublish('alpha', '1.0.0')],
    ['a retry of the new name', await publish(big('beta', '1.0.0', 'cap_beta'))],
  ] as const) {
    assert.is(res.status, 507, `${what}: ${JSON.stringify(res.body)}`);
    assert.is(res.body.code, 'STORAGE_FULL', what);
    assert.ok(res.type.startsWith('application/problem+json'));
  }
  // Nothing that was not stored is served.
  assert.is((await http(`${url}/v1/agents/beta`)).status, 404);
  assert.is((await http(`${url}/v1/resolve?name=beta&rd=0`)).body.status, 'NXDOMAIN');
  assert.is((await http(`${url}/v1/agents/alpha`)).body.version, '1.0.0');
  assert.is((await http(`${url}/v1/resolve?name=alpha`)).body.answer.version, '1.0.0');
  assert.equal((await http(`${url}/v1/discover?q=cap_beta`)).body.results ?? [], []);
  assert.equal((await http(`${url}/v1/discover?q=cap_alpha2`)).body.results ?? [], []);
  assert.is((await http(`${url}/v1/discover?q=cap_alpha`)).body.results.length, 1);
  const sync = (await pullSync(`${url}/v1/sync?since=0`)).body;
  assert.equal(sync.entries.map((e: any) => `${e.record.name}@${e.record.version}`), ['alpha@1.0.0']);
  const h = await health();
  assert.is(h.status, 'degraded');
  assert.is(h.code, 'STORAGE_FULL');
  assert.match(h.reason, /disk is full/);
  assert.is(h.serial, serial, 'the serial did not move');

  await disk.free();
  let waited = 0;
  while ((await health()).status !== 'ok' && waited < 10_000) {
    await new Promise((r) => setTimeout(r, 50));
    waited += 50;
  }
  assert.is((await health()).status, 'ok', 'healthz back to ok once space returned');
  const recoveredMs = Date.now() - t0;
  assert.is((await publish(big('beta', '1.0.0', 'cap_beta'))).status, 201);
  assert.is((await publish(big('alpha', '2.0.0', 'cap_alpha2'))).status, 201);
  const after = await health();
  assert.is(after.serial, serial + 2, 'seqs carry on from what was stored, without a gap');

  const url2 = await restart();
  const back = await pullSync(`${url2}/v1/sync?since=0`);
  assert.equal(back.body.entries.map((e: any) => `${e.seq} ${e.record.name}@${e.record.version}`), [`${serial + 1} beta@1.0.0`, `${serial + 2} alpha@2.0.0`]);
  return { recoveredMs };
}

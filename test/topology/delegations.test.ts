import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DurableTable } from '../../src/store/table.js';
import { Delegations } from '../../src/topology/delegations.js';

const ZONE = 'com.steward-registry.org';
const seed = [{ zone: `acme.${ZONE}`, endpoints: [{ url: 'http://127.0.0.1:1' }] }];

async function tmp() {
  return mkdtemp(join(tmpdir(), 'steward-deleg-'));
}

test('a table keeps puts and deletes across a reopen, and compacts without losing them', async () => {
  const dir = await tmp();
  let t = await DurableTable.open<{ n: number }>({ dir, fsync: false });
  for (let i = 0; i < 2_500; i++) await t.put(`k${i % 10}`, { n: i });
  await t.delete('k3');
  await t.close();
  t = await DurableTable.open<{ n: number }>({ dir, fsync: false });
  assert.is(t.size, 9);
  assert.equal(t.get('k9'), { n: 2_499 });
  assert.is(t.get('k3'), undefined);
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

test('registered delegations survive a restart; a withdrawn one stays withdrawn over the zone file seed', async () => {
  const dir = await tmp();
  let d = await Delegations.open({ zone: ZONE, seed, dir, fsync: false });
  const seen: string[] = [];
  d.onChange((z, e) => seen.push(`${z}:${e?.state}`));
  assert.equal(d.labels(), ['acme']);
  await d.put({ zone: `newco.${ZONE}`, endpoints: [{ url: 'http://127.0.0.1:2', region: 'eu' }], serial: 'ab' });
  await d.withdraw(`acme.${ZONE}`, 'revoked');
  assert.equal(seen, [`newco.${ZONE}:active`, `acme.${ZONE}:withdrawn`]);
  await d.close();

  d = await Delegations.open({ zone: ZONE, seed, dir, fsync: false });
  assert.equal(d.list().map((x) => x.zone), [`newco.${ZONE}`]);
  assert.is(d.get(`acme.${ZONE}`), undefined);
  assert.is(d.entry(`acme.${ZONE}`)?.state, 'withdrawn');
  assert.is(d.get(`newco.${ZONE}`)?.serial, 'ab');
  await d.close();
  await rm(dir, { recursive: true, force: true });
});

test('without a directory the table lives in memory', async () => {
  const d = await Delegations.open({ zone: ZONE, seed });
  await d.put({ zone: `x.${ZONE}`, endpoints: [{ url: 'http://127.0.0.1:3' }] });
  assert.is(d.list().length, 2);
  await d.close();
});

test.run();

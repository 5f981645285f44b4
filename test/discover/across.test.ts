// Discover across registries on real nodes (tree.ts): hierarchy stops at the first
// level with results; federated asks everyone, merges, deduplicates, sorts, counts what
// it found beyond `limit`, and a registry stopped mid-query is reported as failed while
// the others' results still come back. The NDJSON form reports each registry as it answers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { merge } from '../../src/discover/escalate.js';
import type { DiscoverResult } from '../../src/discover/types.js';
import type { Federation } from '../../src/node/federation.js';
import { http } from '../helpers/node.js';
import { startTree, stopOnDiscover, Z } from './tree.js';

const t = suite<{ fed: Federation; leaf: string }>('discover across the tree', {} as any);
t.before(async (ctx) => {
  ctx.fed = await startTree();
  ctx.leaf = ctx.fed.byZone(Z.leaf).url;
});
t.after(async (ctx) => ctx.fed.close());

const asked = (body: any) => body.registries.map((r: any) => [r.role, r.zone, r.count]);
const ids = (body: any) => body.results.map((r: any) => r.name);

t('hierarchy: answered locally, the parent and root are not asked', async ({ leaf }) => {
  const { body } = await http(`${leaf}/v1/discover?q=leaf_cap`);
  assert.equal(asked(body), [['local', Z.leaf, 1]]);
  assert.equal(ids(body), ['leaf-bot']);
});

t('hierarchy: nothing local, the parent has it: stops there, the root is not asked', async ({ leaf }) => {
  const { body } = await http(`${leaf}/v1/discover?q=shared_cap&scope=hierarchy`);
  assert.equal(asked(body), [['local', Z.leaf, 0], ['parent', Z.com, 1]]);
  assert.equal(ids(body), ['com-bot']);
  assert.equal(body.registries[1].agents, [`com-bot.${Z.com}`]);
  assert.is(body.total, 1);
});

t('hierarchy: only the root has it: local, parent, root in order', async ({ leaf }) => {
  const { body } = await http(`${leaf}/v1/discover?q=deep_only`);
  assert.equal(asked(body), [['local', Z.leaf, 0], ['parent', Z.com, 0], ['root', Z.root, 1]]);
  assert.equal(ids(body), ['root-bot']);
});

t('federated: everyone at once, merged, unique, sorted; total counts past limit', async ({ leaf }) => {
  const { body } = await http(`${leaf}/v1/discover?q=shared_cap&scope=federated&sort=name`);
  assert.equal(body.registries.map((r: any) => r.role).sort(), ['local', 'parent', 'root', 'sibling']);
  assert.ok(body.registries.every((r: any) => r.status === 'ok'));
  assert.equal(ids(body), ['com-bot', 'root-bot', 'sib-bot']);
  assert.is(body.total, 3);
  const byLatency = (await http(`${leaf}/v1/discover?q=shared_cap&scope=federated&sort=latency`)).body.results.map((r: any) => r.latency_ms);
  assert.equal(byLatency, [...byLatency].sort((a: number, b: number) => a - b));
  const one = (await http(`${leaf}/v1/discover?q=shared_cap&scope=federated&limit=1`)).body;
  assert.is(one.results.length, 1);
  assert.is(one.total, 3, 'the answer says how many were found, not only how many it returns');
});

t('merge: one row per id (the nearest registry kept), then the sort', () => {
  const row = (name: string, registry: string, trust: number, latency_ms: number): DiscoverResult => ({
    id: `${name}.x.${Z.root}`, name, namespace: 'x', registry, version: '1.0.0', capabilities: [], trust, latency_ms,
  });
  const rows = [row('b', 'far', 0.9, 90), row('a', 'near', 0.5, 5), row('b', 'near', 0.9, 10), row('c', 'far', 0.7, 50)];
  const byTrust = merge(rows, 'trust', 10);
  assert.equal(byTrust.map((r) => [r.name, r.registry]), [['b', 'near'], ['c', 'far'], ['a', 'near']]);
  assert.equal(merge(rows, 'latency', 10).map((r) => r.name), ['a', 'b', 'c']);
  assert.equal(merge(rows, 'name', 2).map((r) => r.name), ['a', 'b']);
});

t('NDJSON: a report per registry as it answers, then the answer', async ({ leaf }) => {
  const res = await fetch(`${leaf}/v1/discover?q=shared_cap&scope=federated`, { headers: { accept: 'application/x-ndjson' } });
  assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.is(lines.length, 5);
  assert.equal(lines.slice(0, 4).map((l) => l.registry.role).sort(), ['local', 'parent', 'root', 'sibling']);
  assert.is(lines[4].answer.total, 3);
  assert.equal(lines[4].answer.registries.length, 4);
});

t('federated: a registry that does not answer in time is reported as a timeout; the others still answer', async ({ fed, leaf }) => {
  const sibCtx = fed.byZone(Z.sib).ctx;
  const real = sibCtx.discover;
  sibCtx.discover = () => new Promise(() => {}); // the node takes the question and never answers
  try {
    const { status, body } = await http(`${leaf}/v1/discover?q=shared_cap&scope=federated`);
    assert.is(status, 200);
    const sib = body.registries.find((r: any) => r.zone === Z.sib);
    assert.is(sib.status, 'timeout', JSON.stringify(sib));
    assert.equal(ids(body).sort(), ['com-bot', 'root-bot']);
  } finally {
    sibCtx.discover = real;
  }
});

t('federated: a registry stopped mid-query is reported failed; the others still answer', async ({ fed, leaf }) => {
  const stopped = stopOnDiscover(fed.byZone(Z.sib).server);
  const { status, body } = await http(`${leaf}/v1/discover?q=shared_cap&scope=federated`);
  await stopped;
  assert.is(status, 200);
  const sib = body.registries.find((r: any) => r.zone === Z.sib);
  assert.is(sib.status, 'error');
  assert.is(sib.count, 0);
  assert.type(sib.error, 'string');
  assert.equal(body.registries.filter((r: any) => r.status === 'ok').map((r: any) => r.role).sort(), ['local', 'parent', 'root']);
  assert.equal(ids(body).sort(), ['com-bot', 'root-bot']);
});

t.run();

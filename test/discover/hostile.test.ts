// Issue 7 finding 3: peers' discover answers are hostile. A real node on port 0 whose
// parent and siblings are fake servers: results that break the schema, ids outside the
// answering registry's subtree, absurd trust and a 60 MB body. The query still answers
// 200 with the good results, and each registry's entry says what happened.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startNode } from '../../src/node/index.js';
import { HostileServer, type Reply } from '../resolver/hostile-fake.js';
import { http, ROOT, testZone } from '../helpers/node.js';

const row = (id: string, trust = 0.5) => {
  const name = id.split('.')[0]!;
  return { id, name, namespace: id.slice(name.length + 1, -(ROOT.length + 1)), version: '1.0.0', capabilities: ['hostile_test'], trust };
};

test('bad results are dropped one by one, a huge body is cut off, the query answers 200', async () => {
  const big = Buffer.alloc(1024 * 1024, ' ');
  const sites: Record<string, HostileServer> = {};
  const make = (fn: (path: string) => Reply) => new HostileServer((_n, path) => fn(path)).start();
  sites.evil = await make(() => ({
    json: { results: [row(`ok.evil.${ROOT}`, 0.4), row(`spoof.vibe-agency.com.${ROOT}`, 1), row(`ghost.other.${ROOT}`, 0.9), { id: 5 }, row(`evil.${ROOT}`, 0.3)] },
  }));
  sites.huge = await make(() => ({ chunks: ['{"results":[', ...Array.from({ length: 60 }, () => big), ']}'] }));
  sites.admin = await make(() => ({ json: { results: [row(`admin.admin.${ROOT}`)] } }));
  sites.parent = await make((path) =>
    path === '/v1/zone'
      ? {
          json: {
            zone: ROOT, parent: null, extra: 'x'.repeat(1000),
            delegations: [
              { zone: `evil.${ROOT}`, endpoints: [{ url: sites.evil!.url }] },
              { zone: `huge.${ROOT}`, endpoints: [{ url: sites.huge!.url }] },
              { zone: `admin.${ROOT}`, endpoints: [{ url: `${sites.admin!.url}/internal-admin/` }] }, // not an origin: never asked
              { zone: `far.away.${ROOT}`, endpoints: [{ url: sites.admin!.url }] }, // not a child of the parent: ignored
              { zone: 5, endpoints: 'nope' },
            ],
          },
        }
      : { json: { results: [{ id: 5 }, row(`good.com.${ROOT}`, 0.8), row(`nan.com.${ROOT}`, 1e308), { ...row(`neg.com.${ROOT}`), trust: -1 }, { ...row(`caps.com.${ROOT}`), capabilities: [{}] }, 'str', null] } },
  );
  const node = await startNode({ config: testZone('vibe-agency.com', { parent: { zone: ROOT, url: sites.parent.url }, delegations: [] }), port: 0 });
  try {
    const fed = await http(`${node.url}/v1/discover?q=hostile_test&scope=federated`);
    assert.is(fed.status, 200, JSON.stringify(fed.body));
    const ids = fed.body.results.map((r: any) => r.id);
    assert.equal(ids, [`good.com.${ROOT}`, `ok.evil.${ROOT}`]);
    for (const r of fed.body.results) assert.ok(r.trust >= 0 && r.trust <= 1);
    const by = Object.fromEntries(fed.body.registries.map((r: any) => [r.zone, r]));
    assert.is(by[ROOT].status, 'ok');
    assert.is(by[ROOT].count, 1);
    assert.is(by[ROOT].dropped, 6);
    assert.is(by[`evil.${ROOT}`].count, 1);
    assert.is(by[`evil.${ROOT}`].dropped, 4, 'foreign ids, the zone apex and {"id":5}');
    assert.is(by[`huge.${ROOT}`].status, 'error');
    assert.match(by[`huge.${ROOT}`].error, /larger than 1048576 bytes/);
    assert.not.ok(`admin.${ROOT}` in by, 'a delegation endpoint with a path is not used');
    assert.not.ok(`far.away.${ROOT}` in by);
    assert.equal(sites.admin!.paths, []);

    const hier = await http(`${node.url}/v1/discover?q=hostile_test`);
    assert.is(hier.status, 200);
    assert.equal(hier.body.results.map((r: any) => r.id), [`good.com.${ROOT}`]);
  } finally {
    await node.close();
    for (const s of Object.values(sites)) await s.close();
  }
});

test.run();

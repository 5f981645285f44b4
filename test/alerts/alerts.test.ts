// GET /v1/alerts: each of the seed's four alerts fires when its cause is there — two of
// three real child registries stopped (the health probe marks them down), sync lag over
// 60 s behind the root, a partition, more than 10 conflicts in an hour — says since when
// and why, and clears when the cause is gone; /metrics shows the same state. Here lag,
// partition and conflicts are reported into ctx.health the way the pull loop and
// anti-entropy report them, to check each alert's edges (10 conflicts vs 11, 30 s vs 90 s).
// Each is also caused for real: sync-lag.test.ts blocks a child's sync for over a minute,
// test/federation/replicas.test.ts partitions two replicas and heals them with conflicts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateAlerts } from '../../src/alerts/index.js';
import { FederationHealth } from '../../src/health/index.js';
import { summarize } from '../../src/health/summary.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { RESOLVER_HEADER } from '../../src/resolver/wire.js';
import { Delegations } from '../../src/topology/delegations.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { http, ROOT } from '../helpers/node.js';

const childConfig = (label: string, port = 0) =>
  parseZoneFile({ zone: `${label}.${ROOT}`, parent: { zone: ROOT, url: 'http://127.0.0.1:9' }, listen: { host: '127.0.0.1', port }, region: 'eu-west' });

const t = suite('alerts');
let children: Record<string, RunningNode>;
let root: RunningNode;
t.before(async () => {
  children = {};
  for (const l of ['a', 'b', 'c']) children[l] = await startNode({ config: childConfig(l), port: 0, fsync: false });
  root = await startNode({
    config: parseZoneFile({
      zone: ROOT, listen: { host: '127.0.0.1', port: 0 }, region: 'eu-west',
      delegations: Object.entries(children).map(([l, n]) => ({ zone: `${l}.${ROOT}`, endpoints: [{ url: n.url, region: 'eu-west' }] })),
      policy: { upstreams: { allow_private: true } },
    }),
    port: 0, fsync: false, healthProbeMs: 100,
  });
});
t.after(async () => {
  await root.close();
  for (const n of Object.values(children)) await n.close().catch(() => {});
});

type Alert = { name: string; since: string; reason: string; value: number; peers?: string[] };
const alerts = async (): Promise<Alert[]> => (await http(`${root.url}/v1/alerts`)).body.alerts;
const metrics = async () => (await fetch(`${root.url}/metrics`)).text();
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const firing = (name: string) => async () => (await alerts()).find((a) => a.name === name);
const cleared = (name: string) => async () => !(await alerts()).some((a) => a.name === name);

t('every registry up: no alerts, and registries online counts the root and its three children', async () => {
  await until('the probe to see all children', async () => root.ctx.health.list('child').filter((p) => p.lastOkMs).length === 3);
  const body = (await http(`${root.url}/v1/alerts`)).body;
  assert.equal(body.alerts, []);
  assert.equal(body.checked, ['registry_down', 'high_sync_lag', 'partition_detected', 'high_conflict_rate']);
  const m = await metrics();
  assert.is(sample(m, 'steward_registries_online'), 4);
  assert.is(sample(m, 'steward_registry_up{peer="a.steward-registry.org",role="child"}'), 1);
  assert.is(sample(m, 'steward_sync_lag_seconds'), 0, 'the lag has a sample even with nothing to lag');
});

t('registry_down: one child stopped is not enough; two fire it (since the second went down, naming both); one back clears it', async () => {
  const bPort = children.b!.port;
  await children.a!.close();
  await until('a marked down', async () => root.ctx.health.list('child').some((p) => p.key === `a.${ROOT}` && !p.up));
  assert.is(await firing('registry_down')(), undefined, 'one registry down is not more than one');
  await children.b!.close();
  const alert = await until('registry_down', firing('registry_down'));
  assert.equal([...alert.peers!].sort(), [`a.${ROOT}`, `b.${ROOT}`]);
  assert.match(alert.reason, /2 registries offline/);
  assert.match(alert.reason, /a\.steward-registry\.org \(child: /, 'says why (to a client inside the zone): the probe error');
  // another registry (outside the zone) sees the alert, not the peers' error messages
  const outside = (await http(`${root.url}/v1/alerts`, { headers: { [RESOLVER_HEADER]: '1' } })).body.alerts.find((a: Alert) => a.name === 'registry_down');
  assert.match(outside.reason, /2 registries offline: a\.steward-registry\.org \(child\), b\.steward-registry\.org \(child\)/);
  const b = root.ctx.health.list('child').find((p) => p.key === `b.${ROOT}`)!;
  assert.is(alert.since, new Date(b.since).toISOString(), 'since the second one went down');
  const m = await metrics();
  assert.is(sample(m, 'steward_registries_online'), 2);
  assert.is(sample(m, 'steward_registry_up{peer="b.steward-registry.org",role="child"}'), 0);
  assert.ok(sample(m, 'steward_sync_failures_total{peer="a.steward-registry.org",role="child"}')! >= 1);

  children.b = await startNode({ config: childConfig('b', bPort), port: bPort, fsync: false });
  await until('registry_down to clear', cleared('registry_down'));
  assert.is(sample(await metrics(), 'steward_registries_online'), 3);
});

t('high_sync_lag: a child whose changes are 90 s old here fires it; brought up to date, it clears', async () => {
  const h = root.ctx.health;
  h.ok(`c.${ROOT}`, 'child', { syncedMs: Date.now() - 30_000 });
  assert.is(await firing('high_sync_lag')(), undefined, '30 s is within the threshold');
  h.ok(`c.${ROOT}`, 'child', { syncedMs: Date.now() - 90_000 });
  const alert = (await firing('high_sync_lag')())!;
  assert.ok(alert, 'fires over 60 s');
  assert.equal(alert.peers, [`c.${ROOT}`]);
  assert.match(alert.reason, /behind the root/);
  const since = Date.parse(alert.since);
  assert.ok(Math.abs(since - (Date.now() - 30_000)) < 5_000, `since it passed 60 s (${alert.since})`);
  const m = await metrics();
  assert.ok(sample(m, 'steward_sync_lag_seconds')! > 60);
  assert.ok(sample(m, 'steward_peer_sync_lag_seconds{peer="c.steward-registry.org",role="child"}')! > 60);
  h.ok(`c.${ROOT}`, 'child', { syncedMs: Date.now() });
  assert.ok(await cleared('high_sync_lag')());
  assert.ok(sample(await metrics(), 'steward_sync_lag_seconds')! < 60);
});

t('partition_detected: fires with the peer and detail, clears when the partition heals', async () => {
  root.ctx.health.partition('us-east:steward-registry.org', true, 'digest differs and the replica is unreachable');
  const alert = (await firing('partition_detected')())!;
  assert.ok(alert);
  assert.equal(alert.peers, ['us-east:steward-registry.org']);
  assert.match(alert.reason, /digest differs/);
  assert.is(sample(await metrics(), 'steward_partition_detected'), 1);
  root.ctx.health.partition('us-east:steward-registry.org', false);
  assert.ok(await cleared('partition_detected')());
  assert.is(sample(await metrics(), 'steward_partition_detected'), 0);
});

t('high_conflict_rate: 10 conflicts in an hour do not fire it, the 11th does; counted in steward_conflicts_total', async () => {
  for (let i = 0; i < 10; i++) root.ctx.health.conflict();
  assert.is(await firing('high_conflict_rate')(), undefined);
  root.ctx.health.conflict();
  const alert = (await firing('high_conflict_rate')())!;
  assert.ok(alert);
  assert.is(alert.value, 11);
  assert.match(alert.reason, /audit log/);
  const m = await metrics();
  assert.is(sample(m, 'steward_conflicts_total'), 11);
  assert.is(sample(m, 'steward_conflicts_last_hour'), 11);
});

t('high_conflict_rate clears once the conflicts are older than an hour (clock moved)', async () => {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const health = new FederationHealth(() => now);
  const config = parseZoneFile({ zone: ROOT, listen: { host: '127.0.0.1', port: 0 }, region: 'eu-west' });
  const delegations = await Delegations.open({ zone: ROOT, seed: [], fsync: false });
  const evaluate = () => evaluateAlerts({ summary: () => summarize({ config, delegations, health, startedAt: now }, now), nthRecentConflict: (n) => health.nthRecentConflict(n) }).alerts;
  for (let i = 0; i < 11; i++) {
    now += 60_000;
    health.conflict();
  }
  const alert = evaluate().find((a) => a.name === 'high_conflict_rate');
  assert.ok(alert);
  assert.is(alert!.since, '2026-12-01T10:11:00.000Z', 'since the 11th conflict');
  now += 51 * 60_000; // 11:02: the first conflict (10:01) has left the hour
  assert.is(evaluate().find((a) => a.name === 'high_conflict_rate'), undefined);
  await delegations.close();
});

t.run();

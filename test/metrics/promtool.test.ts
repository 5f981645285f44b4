// /metrics as Prometheus reads it: `promtool check metrics` finds nothing wrong with a
// node's output (every series the federation health adds included, with peers up and
// down, lag, a partition, conflicts, refusals), the counters move as requests come in,
// and the shipped alerting rules pass `promtool check rules` and their unit tests
// (`promtool test rules`). promtool comes with Debian's `prometheus` package, which
// .ci/run installs; without it the promtool checks are skipped, saying so.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestNode } from '../helpers/node.js';

const RULES = join(new URL('../..', import.meta.url).pathname, 'ops/prometheus');
const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
if (!promtool) console.warn('SKIPPED promtool checks: promtool is not installed (apt-get install prometheus; .ci/run does this)');

const run = (args: string[], input?: string) => {
  const r = spawnSync('promtool', args, { input, cwd: RULES, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

const t = suite('promtool');
let n: Awaited<ReturnType<typeof startTestNode>>;
t.before(async () => {
  n = await startTestNode({ identity: true });
});
t.after(async () => n.close());

const scrape = async () => (await fetch(`${n.url}/metrics`)).text();
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

t('counters move as requests come in: queries, cache, refused signed requests by code', async () => {
  const before = await scrape();
  assert.is(sample(before, 'steward_signed_refusals_total{code="SIGNATURE_MISSING"}'), undefined);
  for (let i = 0; i < 3; i++) await fetch(`${n.url}/v1/resolve?name=nobody-${i}`);
  assert.is((await fetch(`${n.url}/v1/sync?since=0`)).status, 401);
  assert.is((await fetch(`${n.url}/v1/sync?since=0`)).status, 401);
  const after = await scrape();
  assert.is(sample(after, 'steward_signed_refusals_total{code="SIGNATURE_MISSING"}'), 2);
  const count = (t: string) => sample(t, 'steward_query_duration_seconds_count{endpoint="resolve",status="NXDOMAIN"}') ?? 0;
  assert.is(count(after) - count(before), 3);
  assert.ok(sample(after, 'steward_uptime_seconds')! >= 0);
  assert.ok(sample(after, 'steward_registries_online')! >= 1, 'never 0: the node itself is up');
  assert.is(sample(after, 'steward_sync_lag_seconds'), 0);
  n.node.ctx.metrics.setSubtreeSize(() => 42);
  assert.is(sample(await scrape(), 'steward_subtree_agents'), 42);
});

t('promtool check metrics passes on the output, every federation series included', async () => {
  const h = n.node.ctx.health;
  h.ok('team.vibe-agency.com.steward-registry.org', 'child', { syncedMs: Date.now() - 5_000 });
  h.failed('steward-registry.org', 'parent', new Error('connect ECONNREFUSED'));
  h.partition('eu-west:vibe-agency.com.steward-registry.org', true, 'unreachable');
  h.conflict();
  h.outboxDepth = 3;
  const text = await scrape();
  for (const name of ['steward_registry_up', 'steward_peer_sync_lag_seconds', 'steward_sync_failures_total', 'steward_partition_detected', 'steward_conflicts_total', 'steward_outbox_depth', 'steward_query_duration_seconds_bucket', 'steward_agents', 'steward_subtree_agents']) {
    assert.match(text, new RegExp(`^${name}[{ ]`, 'm'), name);
  }
  assert.is(sample(text, 'steward_outbox_depth'), 3);
  assert.is(sample(text, 'steward_sync_failures_total{peer="steward-registry.org",role="parent"}'), 1);
  if (!promtool) return;
  const r = run(['check', 'metrics'], text);
  assert.is(r.status, 0, r.out);
  assert.is(r.out.trim(), '', r.out);
});

t('the alerting rules pass promtool check rules and their unit tests', () => {
  if (!promtool) return;
  const check = run(['check', 'rules', 'alerts.yml']);
  assert.is(check.status, 0, check.out);
  assert.match(check.out, /SUCCESS: 4 rules found/);
  const unit = run(['test', 'rules', 'alerts.test.yml']);
  assert.is(unit.status, 0, unit.out);
  assert.match(unit.out, /SUCCESS/);
});

t.run();

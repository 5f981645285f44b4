// Replicas of one zone (SPEC §6): two real nodes on port 0 sharing the zone's key material,
// each reaching the other through a TCP proxy the test can cut. Cut apart, each takes over
// 1,000 writes (conflicting ones on the same names among them) and reports the
// partition; healed, both hold the same state within two anti-entropy rounds, every
// conflict went the §6 way on both, every losing write is in an audit log, and a replica
// whose clock is ten minutes off never overrides a write that causally followed its own.
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import semver from 'semver';
import type { AuditEntry } from '../../src/audit/index.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { generatePublisherKey, signCompact, type PublisherKey } from '../../src/records/keys.js';
import type { AgentRecord } from '../../src/records/types.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { http, manifest, ROOT } from '../helpers/node.js';
import { signedHttp, zoneMaterial } from '../helpers/signed.js';

const NS = 'replicated.com';
const ZONE = `${NS}.${ROOT}`;
const INTERVAL_MS = 250;

/** A TCP proxy to a node that the test can cut (every connection dropped, new ones refused) and heal. */
async function cuttableProxy() {
  const socks = new Set<Socket>();
  let target = 0;
  let cut = false;
  const server = createServer((c) => {
    if (cut || !target) return void c.destroy();
    const u = connect(target, '127.0.0.1');
    for (const [a, b] of [[c, u], [u, c]] as const) {
      socks.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => { socks.delete(a); b.destroy(); });
      a.pipe(b);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    to(p: number) { target = p; },
    cut() { cut = true; for (const s of socks) s.destroy(); },
    heal() { cut = false; },
    close: () => new Promise<void>((r) => { for (const s of socks) s.destroy(); server.close(() => r()); }),
  };
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Replica { node: RunningNode; proxy: Awaited<ReturnType<typeof cuttableProxy>>; skewMs: number; fixed?: Date }

async function pair() {
  const material = await zoneMaterial(ZONE);
  const proxies = [await cuttableProxy(), await cuttableProxy()]; // proxies[i] leads to replica i
  const regions = ['eu-west', 'us-east'];
  const replicas: Replica[] = [];
  for (let i = 0; i < 2; i++) {
    const r: Replica = { node: undefined as unknown as RunningNode, proxy: proxies[i]!, skewMs: 0 };
    r.node = await startNode({
      config: parseZoneFile({
        zone: ZONE, parent: { zone: ROOT, url: 'http://127.0.0.1:9' }, listen: { host: '127.0.0.1', port: 0 }, region: regions[i], replicas: [{ url: proxies[1 - i]!.url, region: regions[1 - i] }],
        policy: { upstreams: { allow_private: true } },
      }),
      port: 0, fsync: false, identity: material, origins: [proxies[i]!.url], antiEntropyMs: INTERVAL_MS,
      now: () => r.fixed ?? new Date(Date.now() + r.skewMs),
    });
    proxies[i]!.to(r.node.port);
    replicas.push(r);
  }
  return { replicas, async close() { for (const r of replicas) await r.node.close(); for (const p of proxies) await p.close(); } };
}

let key: PublisherKey;
const publish = (r: Replica, name: string, version: string, description = `${name} ${version}`) =>
  signCompact(manifest({ name, namespace: NS, version, description }), key).then((jws) => r.node.ctx.publisher.publish(jws));
const unpublish = async (r: Replica, name: string) => {
  const v = r.node.ctx.store.get(name)!.version;
  return r.node.ctx.publisher.unpublish(name, await signCompact({ name, namespace: NS, deleted: true, version: v }, key));
};
const root = (r: Replica) => r.node.ctx.replicas.digest.view().root;
const stateOf = (r: Replica, name: string) => r.node.ctx.publisher.writer.state(name);
/** The names of the alerts a replica's GET /v1/alerts says are firing. */
const firing = async (r: Replica) => ((await http(`${r.node.url}/v1/alerts`)).body.alerts as { name: string }[]).map((x) => x.name);
const audit = (r: Replica, kind: 'conflict' | 'partition') => {
  const out: AuditEntry[] = [];
  for (let since = 0; ;) {
    const page = r.node.ctx.audit.query({ sinceSeq: since, kinds: [kind], limit: 1000 });
    out.push(...page.entries);
    if (page.next === null) return out;
    since = page.next;
  }
};
const ae = (r: Replica) => r.node.ctx.replicas.antiEntropy;
/** Waits for two anti-entropy rounds on each replica that began after now. */
async function twoRounds(rs: Replica[]) {
  const marks = rs.map((r) => ae(r).started);
  await until('two anti-entropy rounds on each replica', () => rs.every((r, i) => ae(r).rounds >= marks[i]! + 2));
}

/** §6 for two concurrent versions, written out again independently of src/records/decide.ts. */
function sixWinner(a: { op: string; record: AgentRecord }, b: { op: string; record: AgentRecord }) {
  const v = semver.compare(a.record.version, b.record.version);
  if (v) return v > 0 ? a : b;
  const t = Date.parse(a.record.published_at) - Date.parse(b.record.published_at);
  if (t) return t > 0 ? a : b;
  return a.record.digest > b.record.digest ? a : b;
}

test('digest endpoints: signed, and only for the zone\'s own replicas', async () => {
  key = await generatePublisherKey('EdDSA');
  const p = await pair();
  try {
    const url = `${p.replicas[0]!.proxy.url}/v1/digest`; // the origin it is addressed by
    assert.is((await http(url)).status >= 400 && (await http(url)).status < 500, true);
    const other = await signedHttp(url, {}, await zoneMaterial(`other.${ROOT}`));
    assert.is(other.status, 403);
    assert.is(other.body.code, 'NOT_PERMITTED');
    const own = await signedHttp(url, {}, await zoneMaterial(ZONE));
    assert.is(own.status, 200);
    assert.is(own.body.zone, ZONE);
    assert.is(own.body.replica, `eu-west:${ZONE}`);
    assert.is(own.body.hashes.length, 256);
    const bad = await signedHttp(`${p.replicas[0]!.proxy.url}/v1/digest/entries?buckets=zz`, {}, await zoneMaterial(ZONE));
    assert.is(bad.status, 400);
  } finally {
    await p.close();
  }
});

test('partition: cut apart, 1,000+ writes each with conflicts, healed: one state within two rounds, §6 winners, losers audited, skewed clocks lose to causality', async () => {
  const p = await pair();
  const [a, b] = p.replicas as [Replica, Replica];
  try {
    // Shared names exist on both before the cut (the same base version, same key).
    const SHARED = 240;
    for (let i = 0; i < SHARED; i++) await publish(a, `shared-agent-${i}`, '1.0.0');
    await until('the shared names on both', () => root(a) === root(b) && b.node.ctx.store.size === SHARED);

    a.proxy.cut();
    b.proxy.cut();
    const writesAtCut = [a, b].map((r) => r.node.ctx.publisher.writer.localWrites);
    await until('a failed round on each side', () => [a, b].every((r) => r.node.ctx.health.list('replica')[0]!.failures >= 1));

    // Conflicting writes to the shared names, by the three §6 orderings and with unpublishes.
    const fixed = new Date(Date.now() + 1000);
    for (let i = 0; i < SHARED; i++) {
      const name = `shared-agent-${i}`;
      switch (i % 4) {
        case 0: await publish(a, name, '1.2.0'); await publish(b, name, '1.1.0'); break; // version
        case 1: await publish(a, name, '1.1.0', 'from a'); await new Promise((r) => setTimeout(r, 2)); await publish(b, name, '1.1.0', 'from b'); break; // published_at
        case 2: a.fixed = b.fixed = fixed; await publish(a, name, '1.1.0', 'from a'); await publish(b, name, '1.1.0', 'from b'); a.fixed = b.fixed = undefined; break; // digest
        case 3: await unpublish(a, name); await publish(b, name, '1.0.1'); break; // tombstone v1.0.0 vs put v1.0.1
      }
    }
    // Then each side's own names, several versions each, well over 1,000 writes per replica.
    for (const [r, tag] of [[a, 'a'], [b, 'b']] as const) {
      for (let i = 0; i < 400; i++) await publish(r, `own-${tag}-agent-${i}`, '1.0.0');
      for (let i = 0; i < 400; i++) await publish(r, `own-${tag}-agent-${i}`, '1.0.1');
      for (let i = 0; i < 50; i++) await unpublish(r, `own-${tag}-agent-${i}`);
    }
    [a, b].forEach((r, i) => assert.ok(r.node.ctx.publisher.writer.localWrites - writesAtCut[i]! >= 1_000, 'at least 1,000 writes on each side of the cut'));
    await until('both sides report the partition', () => [a, b].every((r) => r.node.ctx.health.partitioned.length === 1));
    for (const r of [a, b]) assert.ok(audit(r, 'partition').some((e) => e.data?.detected === true));
    for (const r of [a, b]) assert.ok((await firing(r)).includes('partition_detected'), 'GET /v1/alerts: partition detected');
    assert.is.not(root(a), root(b));

    const before = new Map<string, { a: ReturnType<typeof stateOf>; b: ReturnType<typeof stateOf> }>();
    for (let i = 0; i < SHARED; i++) before.set(`shared-agent-${i}`, { a: stateOf(a, `shared-agent-${i}`), b: stateOf(b, `shared-agent-${i}`) });

    a.proxy.heal();
    b.proxy.heal();
    await twoRounds([a, b]);
    assert.is(root(a), root(b), 'same digest within two rounds after the heal');
    assert.is(a.node.ctx.store.size, b.node.ctx.store.size);
    for (const r of [a, b]) assert.is(r.node.ctx.health.partitioned.length, 0);
    for (const r of [a, b]) assert.ok(audit(r, 'partition').some((e) => e.data?.healed === true));
    for (const r of [a, b]) assert.not.ok((await firing(r)).includes('partition_detected'), 'the partition alert clears after the heal');
    // the heal resolved far more than 10 conflicts within the hour: that alert fires where they were resolved
    assert.ok((await Promise.all([a, b].map(firing))).some((names) => names.includes('high_conflict_rate')), 'GET /v1/alerts: over 10 conflicts an hour');

    const conflicts = [...audit(a, 'conflict'), ...audit(b, 'conflict')];
    for (const [name, { a: va, b: vb }] of before) {
      const win = sixWinner(va!, vb!);
      const lose = win === va ? vb! : va!;
      for (const r of [a, b]) {
        const now = stateOf(r, name)!;
        assert.is(`${now.op} ${now.record.version} ${now.record.digest}`, `${win.op} ${win.record.version} ${win.record.digest}`, `${name} on ${r.node.ctx.replicas.id}`);
      }
      const logged = conflicts.some((e) => {
        const l = (e.data?.loser as { op: string; record: AgentRecord } | undefined);
        return e.data?.name === name && l?.op === lose.op && l.record.digest === lose.record.digest && l.record.version === lose.record.version;
      });
      assert.ok(logged, `the losing write of ${name} is in the audit log`);
    }
    assert.ok(a.node.ctx.health.conflicts + b.node.ctx.health.conflicts >= SHARED);
    // A replicated unpublish keeps its signed request, so either replica can send the delete up.
    for (const [r, tag] of [[a, 'b'], [b, 'a']] as const) assert.ok(r.node.ctx.store.deleted(`own-${tag}-agent-7`)?.tombstone, `${tag}'s unpublish kept with the replicated tombstone`);

    // Clock skew: b runs ten minutes fast, a ten minutes slow. A write that causally
    // follows another wins however the wall clocks compare.
    b.skewMs = 10 * 60_000;
    a.skewMs = -10 * 60_000;
    await publish(b, 'skewed', '2.0.0'); // published_at ten minutes ahead
    await until('a has b\'s write', () => a.node.ctx.store.get('skewed')?.version === '2.0.0');
    await unpublish(a, 'skewed'); // same version, published_at twenty minutes earlier, but causally after
    await publish(a, 'slow', '1.0.0');
    await until('b has a\'s write', () => b.node.ctx.store.get('slow') !== undefined);
    await unpublish(b, 'slow');
    await until('both agree again', () => root(a) === root(b));
    await twoRounds([a, b]);
    for (const r of [a, b]) {
      assert.is(stateOf(r, 'skewed')!.op, 'delete', 'the unpublish that followed the fast replica\'s write stands');
      assert.is(stateOf(r, 'slow')!.op, 'delete');
    }
    assert.is(root(a), root(b));
  } finally {
    await p.close();
  }
});

test.run();

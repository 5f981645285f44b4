// high_sync_lag caused for real, at the seed's threshold: a root pulls its child every
// second through a TCP relay; the relay is then blocked (the child keeps running, only
// the root's sync with it is cut), so the root's copy of the child's changes ages. Past
// 60 s the alert fires, naming the child, with /metrics agreeing; unblocked, the next
// pull brings the child up to date and the alert clears. The test waits the real minute.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { demoMaterial } from '../../src/identity/material.js';
import { startNode } from '../../src/node/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { http, ROOT } from '../helpers/node.js';

const CHILD = `c.${ROOT}`;

/** A TCP relay to `target()` that can be blocked: open connections are cut and new ones refused. */
async function relay(target: () => URL) {
  let blocked = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (blocked) return client.destroy();
    const t = target();
    const upstream = connect(Number(t.port), t.hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => undefined);
      s.on('close', () => open.delete(s));
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    block() {
      blocked = true;
      for (const s of open) s.destroy();
    },
    unblock() {
      blocked = false;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('blocking a child\'s sync for over 60 s fires high_sync_lag; syncing again clears it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steward-sync-lag-'));
  let childUrl = '';
  const link = await relay(() => new URL(childUrl));
  const zone = (z: string, port: number, extra: Record<string, unknown>) =>
    parseZoneFile({ zone: z, listen: { host: '127.0.0.1', port }, region: 'eu-west', policy: { upstreams: { allow_private: true } }, ...extra });
  const certs = join(dir, 'certs');
  const delivery = { pullIntervalMs: 1_000 };
  const root = await startNode({
    config: zone(ROOT, 0, { delegations: [{ zone: CHILD, endpoints: [{ url: link.url }] }] }),
    port: 0, dataDir: join(dir, 'root'), fsync: false, identity: await demoMaterial(ROOT, ROOT, certs), delivery,
  });
  // The child answers signed requests addressed to the relay (its address as the root knows it).
  const child = await startNode({
    config: zone(CHILD, 0, { parent: { zone: ROOT, url: root.url } }),
    port: 0, dataDir: join(dir, 'child'), fsync: false, identity: await demoMaterial(CHILD, ROOT, certs), delivery, origins: [link.url],
  });
  try {
    childUrl = child.url;
    type Alert = { name: string; since: string; reason: string; value: number; peers?: string[] };
    const lagAlert = async () => ((await http(`${root.url}/v1/alerts`)).body.alerts as Alert[]).find((a) => a.name === 'high_sync_lag');
    const lag = async () => {
      const text = await (await fetch(`${root.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`steward_peer_sync_lag_seconds{peer="${CHILD}",role="child"} `));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };

    // Pulled through the relay: the child is up to date at the root, nothing fires.
    await until('a first pull of the child', async () => (await lag()) !== undefined && (await lag())! < 5, 30_000);
    assert.is(await lagAlert(), undefined);

    const lagAtBlock = (await lag())!; // (seconds since the last pull: under load, pulls can run late)
    const blockedAt = Date.now();
    link.block();
    await new Promise((r) => setTimeout(r, 5_000));
    assert.is(await lagAlert(), undefined, 'a few seconds without sync are within the threshold');
    const alert = await until('high_sync_lag to fire', lagAlert, 120_000);
    const firedAfter = (Date.now() - blockedAt) / 1000 + lagAtBlock;
    assert.ok(firedAfter >= 59, `fired ${firedAfter.toFixed(1)} s after the last pull, not before 60 s`);
    assert.equal(alert.peers, [CHILD]);
    assert.match(alert.reason, /behind the root/);
    assert.ok(alert.value >= 60, `value ${alert.value}`);
    assert.ok((await lag())! > 60, 'the per-child lag on /metrics agrees');
    const audit = (await http(`${root.url}/v1/audit?kind=pull`)).body.entries as { detail: string }[];
    assert.ok(audit.some((e) => /failed/.test(e.detail)), 'the failed pull is in the audit log');

    link.unblock();
    await until('high_sync_lag to clear', async () => !(await lagAlert()), 60_000);
    assert.ok((await lag())! < 60);
  } finally {
    await child.close();
    await root.close();
    await link.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();

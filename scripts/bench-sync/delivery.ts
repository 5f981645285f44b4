// bench-sync's `push` and `pull` sections (SPEC §6 delivery), on real nodes in this
// process (startFederation on loopback ports, demo identities, data on disk with fsync):
//   push  root ← com ← leaf: a steady --rate publishes/s (default 200) at the leaf for
//         --seconds (default 30); each publish's latency until the root's subtree index
//         holds it (onApplied at the root), p50/p99/max, and the push batches it took.
//   pull  root ← leaf with pushes off at the leaf: --changes (default 100,000) publishes
//         at the leaf, then one pull round at the root, timed until caught up (target ≤ 30 s).
// All nodes share this process's event loop, so figures include the other nodes' work.
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFederation, type Federation } from '../../src/node/federation.js';
import type { DeliveryOptions } from '../../src/node/delivery.js';
import { parseZoneFile, type ZoneConfig } from '../../src/zonefile/index.js';
import { agentName, manifestFor, newPublisher, ROOT, signJws } from '../bench-zone/data.js';
import { progress, withDeadline } from '../bench-common/phase.js';

export const DELIVERY_DEADLINE = { start: 60_000, push: 300_000, publish: 900_000, pull: 900_000 };

const zone = (z: string, port: number, extra: Record<string, unknown> = {}): ZoneConfig =>
  parseZoneFile({ zone: z, listen: { host: '127.0.0.1', port }, region: 'eu-west', ...extra, policy: { upstreams: { allow_private: true }, ...(extra.policy as object) } });

async function federation(work: string, configs: ZoneConfig[], delivery: DeliveryOptions): Promise<{ fed: Federation; dir: string }> {
  const dir = mkdtempSync(join(work, 'delivery-'));
  const fed = await withDeadline('delivery start', DELIVERY_DEADLINE.start, () => startFederation(configs, { ephemeralPorts: true, dataDir: join(dir, 'data'), certsDir: join(dir, 'certs'), fsync: true, delivery }));
  return { fed, dir };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : null;
};

function signedFor(ns: string, count: number, from = 0): string[] {
  const pubs = Array.from({ length: 50 }, () => newPublisher());
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return signJws({ ...manifestFor(i), namespace: ns, visibility: 'public' }, pubs[i % pubs.length]!);
  });
}

export async function pushBench(work: string, rate: number, seconds: number) {
  const COM = `com.${ROOT}`;
  const NS = 'leaf.com';
  const LEAF = `${NS}.${ROOT}`;
  const { fed, dir } = await federation(work, [
    zone(ROOT, 7401, { delegations: [{ zone: COM, endpoints: [{ url: 'http://127.0.0.1:7402' }] }] }),
    zone(COM, 7402, { parent: { zone: ROOT, url: 'http://127.0.0.1:7401' }, delegations: [{ zone: LEAF, endpoints: [{ url: 'http://127.0.0.1:7403' }] }] }),
    zone(LEAF, 7403, { parent: { zone: COM, url: 'http://127.0.0.1:7402' } }),
  ], {});
  try {
    const total = rate * seconds;
    const jws = signedFor(NS, total);
    const sent = new Map<string, number>();
    const lat: number[] = [];
    const root = fed.byZone(ROOT);
    root.ctx.subtree.onApplied((batch) => {
      const now = performance.now();
      for (const a of batch) {
        const id = a.entry.op === 'put' ? a.entry.ref.id : a.entry.id;
        const t0 = sent.get(id);
        if (t0 !== undefined) lat.push(now - t0);
      }
    });
    const leaf = fed.byZone(LEAF);
    let errors = 0;
    await withDeadline('push: steady publishes to the root', DELIVERY_DEADLINE.push, async (status) => {
      status(() => `${sent.size}/${total} published, ${lat.length} at the root, outbox ${leaf.ctx.health.outboxDepth}`);
      const start = performance.now();
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        sent.set(`${agentName(i)}.${LEAF}`, performance.now());
        leaf.ctx.publisher.publish(jws[i]!).catch((err) => { if (errors++ === 0) progress(`first publish error: ${err.code} ${err.message}`); });
      }
      while (lat.length + errors < total) await new Promise((r) => setTimeout(r, 20));
    });
    const ob = leaf.ctx.delivery!.outbox!.stats;
    const com = fed.byZone(COM).ctx.delivery!.outbox!.stats;
    return {
      rate_per_s: rate, seconds, publishes: total, errors, at_root: lat.length,
      latency_ms: { p50: pct(lat, 50), p99: pct(lat, 99), max: pct(lat, 100) },
      leaf_pushes: ob.pushes, leaf_push_failures: ob.failures, leaf_splits: ob.splits, com_pushes: com.pushes, com_push_failures: com.failures, leaf_last_push_error: leaf.ctx.health.list('parent')[0]?.lastError, load_average: os.loadavg().map((x) => Math.round(x * 10) / 10), cpu_s: Math.round(process.cpuUsage().user / 1e5 + process.cpuUsage().system / 1e5) / 10, entries_per_push_leaf: Math.round((ob.delivered / Math.max(1, ob.pushes)) * 10) / 10,
    };
  } finally {
    await fed.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function pullBench(work: string, changes: number) {
  const NS = 'pulled';
  const LEAF = `${NS}.${ROOT}`;
  const { fed, dir } = await federation(work, [
    zone(ROOT, 7501, { delegations: [{ zone: LEAF, endpoints: [{ url: 'http://127.0.0.1:7502' }] }] }),
    zone(LEAF, 7502, { parent: { zone: ROOT, url: 'http://127.0.0.1:7501' }, policy: { federation: { push: false } } }),
  ], { pullIntervalMs: 2 ** 31 - 1 });
  try {
    const leaf = fed.byZone(LEAF);
    const root = fed.byZone(ROOT);
    let errors = 0;
    const publishMs = await withDeadline(`pull: ${changes} publishes at the leaf`, DELIVERY_DEADLINE.publish, async (status) => {
      let done = 0;
      status(() => `${done}/${changes}`);
      const t0 = performance.now();
      const CHUNK = 5_000;
      for (let from = 0; from < changes; from += CHUNK) {
        const jws = signedFor(NS, Math.min(CHUNK, changes - from), from);
        let next = 0;
        await Promise.all(Array.from({ length: 64 }, async () => {
          while (next < jws.length) {
            const j = jws[next++]!;
            await leaf.ctx.publisher.publish(j).catch(() => errors++);
            done++;
          }
        }));
      }
      return performance.now() - t0;
    }, 15_000);
    progress(`pull: leaf serial ${leaf.ctx.store.serial}, ${errors} publish errors`);
    const rss0 = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const rounds = await withDeadline('pull: one round at the root until caught up', DELIVERY_DEADLINE.pull, async (status) => {
      status(() => `root subtree ${root.ctx.subtree.stats.live}`);
      return root.ctx.delivery!.puller!.round();
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = Math.round((cpu.user + cpu.system) / 1e5) / 10;
    const r = rounds[0]!;
    return {
      changes, publish_errors: errors, publish_seconds: Math.round(publishMs / 100) / 10,
      pull: { seconds: Math.round(seconds * 10) / 10, pages: r.pages, ms: Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, Math.round(v)])), applied: r.applied, rejected: r.rejected, ok: r.ok, error: r.error, per_s: Math.round(r.applied / seconds), cpu_seconds: cpuSeconds, load_average: os.loadavg().map((x) => Math.round(x * 10) / 10), rss_growth_mb: Math.round((process.memoryUsage().rss - rss0) / 1e6) },
      root_subtree_live: root.ctx.subtree.stats.live,
      targets: { pull_100k_le_30_s: { value: Math.round(seconds * 10) / 10, ok: seconds <= 30 && r.applied >= changes - errors } },
    };
  } finally {
    await fed.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

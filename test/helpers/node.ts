// Test helpers: a real node on port 0 for one zone, and a signed-request client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';

export const ROOT = 'steward-registry.org';

export function testZone(namespace = 'vibe-agency.com', extra: Record<string, unknown> = {}) {
  const zone = `${namespace}.${ROOT}`;
  return parseZoneFile({
    zone,
    parent: { zone: ROOT, url: 'http://127.0.0.1:9' },
    listen: { host: '127.0.0.1', port: 0 },
    region: 'eu-west',
    delegations: [{ zone: `team.${zone}`, endpoints: [{ url: 'http://127.0.0.1:9', region: 'eu-west' }] }],
    ...extra,
    // Every test node runs on loopback, so other registries' endpoints are 127.0.0.1.
    policy: { upstreams: { allow_private: true }, ...(extra.policy as object | undefined) },
  });
}

/** A vibe-agency.com node; `identity`: with demo registry material (signed endpoints such as /v1/sync work). */
export async function startTestNode(opts: { durable?: boolean; extra?: Record<string, unknown>; identity?: boolean } = {}) {
  const dir = opts.durable ? await mkdtemp(join(tmpdir(), 'steward-node-')) : undefined;
  const config = testZone('vibe-agency.com', opts.extra);
  const identity = opts.identity ? await (await import('./signed.js')).zoneMaterial(config.zone) : undefined;
  const node: RunningNode = await startNode({ config, port: 0, dataDir: dir, identity });
  return {
    node,
    url: node.url,
    dir,
    identity,
    async close() {
      await this.node.close(); // the test may have swapped in a restarted node
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function http(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body };
}

export { manifest } from '../records/fixtures.js';

// A small federation with real identities for the identity tests: a root and `com` with
// demo material in a temp certs directory, on port 0, plus a client that plays a child
// registry (its own key, a CSR, signed requests).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoMaterial } from '../../src/identity/material.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { createCsr, generateKeys, pemBundleToDers, toDer, type RegistryKeyPair } from '../../src/pki/index.js';
import { createSigner } from '../../src/pki/httpsig/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { http, ROOT } from '../helpers/node.js';

export const COM = `com.${ROOT}`;

export async function identityTree(opts: { policy?: Record<string, unknown>; redisUrl?: string; crlRefreshMs?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'steward-id-'));
  const certs = join(dir, 'certs');
  const root = await startNode({
    config: parseZoneFile({ zone: ROOT, listen: { host: '127.0.0.1', port: 0 }, region: 'eu-west' }),
    port: 0, dataDir: join(dir, 'root'), fsync: false, identity: await demoMaterial(ROOT, ROOT, certs),
  });
  const startCom = async () =>
    startNode({
      config: parseZoneFile({ zone: COM, parent: { zone: ROOT, url: root.url }, listen: { host: '127.0.0.1', port: 0 }, region: 'eu-west', policy: opts.policy ?? {} }),
      port: 0, dataDir: join(dir, 'com'), fsync: false, redisUrl: opts.redisUrl, identity: await demoMaterial(COM, ROOT, certs), crlRefreshMs: opts.crlRefreshMs,
    });
  return {
    dir, certs, root, com: await startCom(),
    /** Stops `com` and starts it again on the same data directory. */
    async restartCom() {
      await this.com.close();
      this.com = await startCom();
    },
    async close() {
      await this.com.close();
      await root.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Child { zone: string; keys: RegistryKeyPair; certificate?: string; chain?: string[] }

export async function newChild(namespace: string, alg: 'p256' | 'rsa4096' = 'p256'): Promise<Child & { csr: string }> {
  const zone = `${namespace}.${ROOT}`;
  const keys = await generateKeys(alg);
  return { zone, keys, csr: await createCsr(zone, keys) };
}

export async function register(parent: RunningNode, body: Record<string, unknown>) {
  return http(`${parent.url}/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Sends a request signed with `child`'s key and chain (as a registry would). */
export async function signedFetch(child: { keys: RegistryKeyPair; certificate: string; chain: string[] }, method: string, url: string, body?: unknown) {
  const signer = createSigner({ privateKey: child.keys.privateKey, chain: [toDer(child.certificate), ...child.chain.flatMap((p) => pemBundleToDers(p))] });
  const bytes = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { ...signer.sign({ method, url, body: bytes }) };
  if (bytes !== undefined) headers['content-type'] = 'application/json';
  return http(url, { method, headers, body: bytes });
}

/** Runs openssl (the oracle every certificate test agrees with): ok, and what it printed. */
export const openssl = (args: string[]) => {
  try {
    return { ok: true, out: execFileSync('openssl', args, { stdio: 'pipe' }).toString() };
  } catch (err) {
    return { ok: false, out: String((err as { stdout?: Buffer }).stdout ?? '') + String((err as { stderr?: Buffer }).stderr ?? '') };
  }
};

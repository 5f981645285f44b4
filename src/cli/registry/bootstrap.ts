// `serve --namespace N --parent URL` (the seed's `docker run steward-registry --namespace
// … --parent …`): a registry that makes its own identity. On first start — no registered
// identity in <data-dir>/identity — it
//   1. asks the parent's GET /v1/zone for its zone and the root domain,
//   2. makes a key pair (keygen) unless one is already there,
//   3. listens (so the endpoint it registers is known even on port 0),
//   4. registers with the parent (CSR → certificate and chain, SPEC §5),
//   5. writes the zone config it derived (<data-dir>/zone.json, a zone file) and the
//      identity, the certificate last (its presence means "registered"),
//   6. serves the new zone, renewing its certificate in the background.
// Later starts read zone.json and the identity back and serve at once.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { childZoneOf, enrol, parentZone } from '../../identity/enrol.js';
import { keyFingerprint } from '../../identity/node-identity.js';
import { identityDir, loadKey, loadRegistered, loadRegistration, saveKeyPair, saveRegistered, saveRegistration } from '../../identity/material.js';
import { closeServer, listen, type Listener } from '../../http/listener.js';
import { attachServer, createNode, type NodeOptions, type RunningNode } from '../../node/index.js';
import { isPrivateHost } from '../../peer/index.js';
import { generateKeys, parseCertificate, toDer, writeAtomic, type KeyAlg } from '../../pki/index.js';
import { createSigner } from '../../pki/httpsig/index.js';
import type { IdentityMaterial } from '../../identity/node-identity.js';
import { loadZoneFile, parseZoneFile } from '../../zonefile/index.js';
import { peerFor, usage } from './common.js';
import { printRegistered } from './register.js';

export const savedZonePath = (dataDir: string) => join(dataDir, 'zone.json');
export const DEFAULT_PORT = 7400;

export interface BootstrapOptions {
  namespace: string;
  parent: string;
  dataDir: string;
  port?: number;
  host?: string;
  endpoint?: string;
  region?: string;
  token?: string;
  alg: KeyAlg;
  log: Logger;
  node: Pick<NodeOptions, 'redisUrl' | 'acceptDataLoss' | 'renewCheckMs' | 'requestLog'>;
}

/** Wires the node onto a listener that is already open; the listener is closed if that fails. */
async function serveOn(l: Listener, opts: NodeOptions, endpoints: string[]): Promise<RunningNode> {
  try {
    const node = await createNode({ ...opts, origins: [...new Set([l.url, ...endpoints])] });
    l.attach(node.app.fetch, node.fast, node.hooks);
    return attachServer(node, l);
  } catch (err) {
    await closeServer(l.server);
    throw err;
  }
}

/**
 * A registry whose registered endpoint is its listen URL, started again on another port
 * (port 0, or a new --port): its parent's referrals would point at the old one, so it
 * renews at once (a signed register) with the new URL.
 */
async function followListenUrl(idDir: string, m: IdentityMaterial, l: Listener, o: BootstrapOptions): Promise<IdentityMaterial> {
  const reg = loadRegistration(idDir);
  if (!reg?.endpoint_is_listen_url || o.endpoint || reg.endpoints[0]?.url === l.url) return m;
  const endpoints = [{ ...reg.endpoints[0], url: l.url }];
  const peer = peerFor(reg.parent);
  try {
    const rootDomain = parseCertificate(m.rootPem).dnsNames[0]!; // the anchor names the root domain
    const signer = createSigner({ privateKey: m.keys.privateKey, chain: [m.certificatePem, ...m.chainPems].map((p) => toDer(p)) });
    const e = await enrol(peer, { parentUrl: reg.parent, namespace: reg.namespace, rootDomain, keys: m.keys, endpoints, signer });
    saveRegistration(idDir, { ...reg, endpoints });
    saveRegistered(idDir, { keys: m.keys, certificatePem: e.certificatePem, chainPems: e.chainPems });
    o.log.info({ zone: reg.zone, endpoint: l.url }, 'listen URL changed: registered the new endpoint with the parent');
    return { ...m, certificatePem: e.certificatePem, chainPems: e.chainPems };
  } finally {
    await peer.close();
  }
}

export async function serveNamespace(o: BootstrapOptions): Promise<RunningNode> {
  const dataDir = resolve(o.dataDir);
  const idDir = identityDir(dataDir);
  const zonePath = savedZonePath(dataDir);
  const registered = loadRegistered(idDir);
  const base = { dataDir, log: o.log, identityDir: idDir, ...o.node };

  if (registered && existsSync(zonePath)) {
    const config = loadZoneFile(zonePath);
    if (config.namespace !== o.namespace && config.zone !== o.namespace) throw usage(`${dataDir} holds the registry of ${config.zone}, not ${o.namespace}`);
    const l = await listen(o.host ?? config.listen.host, o.port ?? config.listen.port);
    const identity = await followListenUrl(idDir, registered, l, o).catch(async (err) => {
      await closeServer(l.server);
      throw err;
    });
    const endpoints = (loadRegistration(idDir)?.endpoints ?? []).map((e) => e.url);
    return serveOn(l, { ...base, config, identity }, endpoints);
  }

  const peer = peerFor(o.parent);
  try {
    const p = await parentZone(peer, o.parent);
    const zone = childZoneOf(o.namespace, p.rootDomain);
    let keys = loadKey(idDir);
    if (!keys) {
      console.log('Generating registry keypair...');
      keys = await generateKeys(o.alg);
      const files = saveKeyPair(idDir, keys);
      console.log(`✅ Private key: ${files.key}`);
      console.log(`✅ Public key: ${files.pub}`);
      console.log(`✅ Fingerprint: sha256:${keyFingerprint(keys.publicKey)}`);
    }
    const host = o.host ?? '127.0.0.1';
    const port = o.port ?? DEFAULT_PORT;
    const l = await listen(host, port);
    let e: Awaited<ReturnType<typeof enrol>>;
    const endpoint = o.endpoint ?? l.url;
    const endpoints = [{ url: endpoint, ...(o.region ? { region: o.region } : {}) }];
    try {
      console.log('Registering with parent...');
      e = await enrol(peer, { parentUrl: o.parent, namespace: o.namespace, rootDomain: p.rootDomain, keys, endpoints, token: o.token });
    } catch (err) {
      await closeServer(l.server);
      throw err;
    }
    printRegistered(o.namespace, e);
    const file = {
      $comment: `derived by steward-registry serve --namespace ${o.namespace} --parent ${o.parent}`,
      zone,
      root_domain: p.rootDomain,
      parent: { zone: p.zone, url: o.parent },
      listen: { host, port },
      region: o.region ?? 'local',
      // A parent on loopback is the demo: its other registries are on loopback too.
      policy: { upstreams: { allow_private: isPrivateHost(new URL(o.parent).hostname) } },
    };
    const config = parseZoneFile(file, zonePath);
    writeAtomic(zonePath, JSON.stringify(file, null, 2) + '\n');
    saveRegistration(idDir, { parent: o.parent, namespace: o.namespace, zone, endpoints, endpoint_is_listen_url: !o.endpoint });
    saveRegistered(idDir, { keys, certificatePem: e.certificatePem, chainPems: e.chainPems });
    return serveOn(l, { ...base, config, identity: { keys, certificatePem: e.certificatePem, chainPems: e.chainPems, rootPem: e.chainPems.at(-1)! } }, [endpoint]);
  } finally {
    await peer.close();
  }
}

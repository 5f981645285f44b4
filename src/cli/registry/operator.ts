// What the parent operator's commands (invite, revoke) share: finding this registry's own
// key and chain, and sending a request signed with them. The routes they call
// (/v1/admin/*) accept only requests signed by the node's own zone, so holding the key
// is the credential.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULTS, readEnv } from '../../config/index.js';
import { remoteProblem } from '../../identity/enrol.js';
import { demoMaterial, identityDir, loadRegistered, loadRegistration } from '../../identity/material.js';
import type { IdentityMaterial } from '../../identity/node-identity.js';
import { materialPaths, parseCertificate, ROOT_CA_NAME, toDer } from '../../pki/index.js';
import { createSigner } from '../../pki/httpsig/index.js';
import { loadZoneFile, type ZoneConfig } from '../../zonefile/index.js';
import { peerFor, urlFlag, usage } from './common.js';
import { savedZonePath } from './bootstrap.js';

export const OPERATOR_OPTIONS = {
  registry: { type: 'string' }, 'data-dir': { type: 'string' }, 'zone-file': { type: 'string' }, 'certs-dir': { type: 'string' },
} as const;

export const OPERATOR_HELP = `  --data-dir DIR   the node's data directory: its registered identity is DIR/identity
                   (made by serve --namespace, or register --out DIR/identity)
  --zone-file FILE or: the node's zone file, with the demo federation's certificates
  --certs-dir DIR  where --zone-file's certificates are (default $STEWARD_CERTS_DIR, else
                   certs/ beside the zone file's folder, as serve finds them)
  --registry URL   the node to ask (default $STEWARD_REGISTRY, else the zone file's
                   listen address, else the endpoint it registered)`;

export interface Operator {
  zone: string;
  rootDomain: string;
  url: string;
  material: IdentityMaterial;
}

const listenUrl = (c: ZoneConfig) => (c.listen.port ? `http://${c.listen.host}:${c.listen.port}` : undefined);

/** The node's identity and URL from --data-dir or --zone-file (+ --certs-dir). */
export async function findOperator(v: Record<string, any>): Promise<Operator> {
  const zoneFile: string | undefined = v['zone-file'];
  if (!v['data-dir'] && !zoneFile) throw usage('say whose key signs: --data-dir DIR (a registered node) or --zone-file FILE (a demo node)');
  const env = readEnv();
  let config: ZoneConfig | undefined;
  let material: IdentityMaterial | undefined;
  let registeredUrl: string | undefined;
  if (v['data-dir']) {
    const dir = resolve(v['data-dir']);
    material = loadRegistered(identityDir(dir));
    registeredUrl = loadRegistration(identityDir(dir))?.endpoints[0]?.url;
    if (existsSync(savedZonePath(dir))) config = loadZoneFile(savedZonePath(dir));
    if (!material && !zoneFile) throw usage(`${identityDir(dir)} holds no registered identity (registry.key, registry.pem, registry.chain.pem)`);
  }
  if (zoneFile) {
    config = loadZoneFile(zoneFile);
    if (!material) {
      const certsDir = v['certs-dir'] ?? env.certsDir ?? join(dirname(dirname(resolve(zoneFile))), DEFAULTS.identity.demoCertsDir);
      const name = config.zone === config.rootDomain ? ROOT_CA_NAME : config.zone;
      if (!existsSync(materialPaths(certsDir, name).cert)) throw usage(`${certsDir} holds no certificate for ${config.zone} (start the node once, or pass --certs-dir)`);
      material = await demoMaterial(config.zone, config.rootDomain, certsDir);
    }
  }
  const cert = parseCertificate(material!.certificatePem);
  const zone = config?.zone ?? cert.dnsNames[0] ?? cert.commonNames[0]!;
  const rootDomain = config?.rootDomain ?? parseCertificate(material!.rootPem).dnsNames[0] ?? DEFAULTS.rootDomain;
  const url = urlFlag('registry', v.registry) ?? urlFlag('registry', env.registry) ?? (config && listenUrl(config)) ?? registeredUrl;
  if (!url) throw usage('say which node to ask: --registry URL (or set STEWARD_REGISTRY)');
  return { zone, rootDomain, url, material: material! };
}

/** POSTs `body` as JSON to the node, signed with its own key; the parsed 2xx answer. */
export async function signedPost(op: Operator, path: string, body: unknown): Promise<any> {
  const url = `${op.url}${path}`;
  const bytes = JSON.stringify(body);
  const signer = createSigner({ privateKey: op.material.keys.privateKey, chain: [op.material.certificatePem, ...op.material.chainPems].map((p) => toDer(p)) });
  const peer = peerFor(op.url);
  try {
    const res = await peer.call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signer.sign({ method: 'POST', url, body: bytes }) }, body: bytes });
    if (res.status < 200 || res.status > 299) throw remoteProblem(res, url);
    return JSON.parse(res.body.toString('utf8'));
  } finally {
    await peer.close();
  }
}

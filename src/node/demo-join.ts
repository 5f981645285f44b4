// How `federation up` joins a zone whose file says `"join": "register"` (the demo's
// github sub-zones) to its parent, which runs in the same federation:
//   - with the demo's certificates (the demo boot, `npm start`): the register flow of
//     SPEC §5 over HTTP — a key pair kept in <certs>/registered/<zone>/ (so the next
//     start renews with the same key instead of meeting NAMESPACE_TAKEN), a CSR sent to
//     the parent's POST /v1/register, the certificate and chain checked (enrol()) and
//     used as the child's identity; the parent records the delegation itself;
//   - without identities (tests that start the tree bare): the parent has no registrar,
//     so the delegation is put into its table directly, as a zone file would seed it.
import { join } from 'node:path';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import { enrol } from '../identity/enrol.js';
import { loadKey, saveKeyPair } from '../identity/material.js';
import type { IdentityMaterial } from '../identity/node-identity.js';
import { PeerClient } from '../peer/index.js';
import { generateKeys } from '../pki/index.js';
import type { ZoneConfig } from '../zonefile/index.js';
import type { RunningNode } from './index.js';

/** Zone files in start order: zones joined by delegation first, then registered ones parents first. */
export function joinOrder(configs: ZoneConfig[]): number[] {
  const depth = (c: ZoneConfig) => c.zone.split('.').length;
  const idx = configs.map((_, i) => i);
  return [
    ...idx.filter((i) => configs[i]!.join !== 'register'),
    ...idx.filter((i) => configs[i]!.join === 'register').sort((a, b) => depth(configs[a]!) - depth(configs[b]!)),
  ];
}

export interface JoinOptions {
  config: ZoneConfig;
  /** The running parent node (it must be part of the same federation). */
  parent: RunningNode | undefined;
  /** The URL the joining node listens on (registered as its endpoint). */
  url: string;
  certsDir?: string;
}

/** Joins `config` to its parent; returns the identity it registered, if it did. */
export async function joinParent({ config, parent, url, certsDir }: JoinOptions): Promise<IdentityMaterial | undefined> {
  if (!parent) {
    throw new StewardError('BAD_CONFIG', `${config.source ?? config.zone}: "join": "register" needs its parent ${config.parent?.zone ?? '(none)'} in the same federation`);
  }
  const endpoints = [{ url, region: config.region }];
  if (!certsDir || !parent.ctx.registrar) {
    await parent.ctx.delegations.put({ zone: config.zone, endpoints, source: 'zonefile' });
    return undefined;
  }
  const dir = join(certsDir, 'registered', config.zone);
  let keys = loadKey(dir);
  if (!keys) {
    keys = await generateKeys('p256'); // the demo's choice: a first start in a second, not a minute
    saveKeyPair(dir, keys);
  }
  const peer = new PeerClient({ timeoutMs: DEFAULTS.peer.timeoutMs * 5, maxBodyBytes: DEFAULTS.peer.maxBodyBytes, trustedHosts: [new URL(parent.url).hostname] });
  try {
    const e = await enrol(peer, { parentUrl: parent.url, namespace: config.namespace, rootDomain: config.rootDomain, keys, endpoints });
    return { keys, certificatePem: e.certificatePem, chainPems: e.chainPems, rootPem: e.chainPems.at(-1)! };
  } finally {
    await peer.close();
  }
}

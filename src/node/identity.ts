// Wires a node's registry identity (src/identity) from its material: the NodeIdentity
// (signer, verifier, revocations), the register tokens and the registrar that POST
// /v1/register runs, all kept in the node's data directory.
import { join } from 'node:path';
import { NodeIdentity, type IdentityMaterial } from '../identity/node-identity.js';
import { Registrar } from '../identity/registrar.js';
import { RegisterTokens } from '../identity/tokens.js';
import { createNonceStore } from '../pki/httpsig/index.js';
import type { ZoneStore } from '../store/zone-store.js';
import type { Delegations } from '../topology/delegations.js';
import type { ZoneConfig } from '../zonefile/index.js';
import type { Publisher } from './publisher.js';

export interface IdentityParts {
  identity: NodeIdentity;
  registrar: Registrar;
  tokens: RegisterTokens;
  close(): Promise<void>;
}

export interface IdentityDeps {
  config: ZoneConfig;
  material: IdentityMaterial;
  store: ZoneStore;
  delegations: Delegations;
  publisher: Publisher;
  dataDir?: string;
  fsync?: boolean;
  redisUrl?: string;
  /** Origins other registries address this node by. */
  origins?: string[];
}

export async function openIdentity(d: IdentityDeps): Promise<IdentityParts> {
  const nonces = createNonceStore({ redisUrl: d.redisUrl });
  const identity = await NodeIdentity.open({
    zone: d.config.zone,
    material: d.material,
    nonces,
    dataDir: d.dataDir ? join(d.dataDir, 'identity') : undefined,
    fsync: d.fsync,
    childLifetimeMs: d.config.policy.certificateLifetimeSeconds * 1000,
    origins: d.origins,
  });
  const tokens = await RegisterTokens.open(d.dataDir ? join(d.dataDir, 'identity', 'tokens') : undefined, d.fsync ?? true);
  const registrar = new Registrar({
    zone: d.config.zone,
    rootDomain: d.config.rootDomain,
    policy: d.config.policy.register,
    delegations: d.delegations,
    issuer: identity.issuer,
    tokens,
    confusableWith: (label) => d.publisher.confusableWith(label),
    hasAgent: (label) => !!d.store.get(label) || !!d.store.deleted(label),
  });
  return {
    identity,
    registrar,
    tokens,
    async close() {
      await tokens.close();
      await identity.close();
    },
  };
}

// Wires a node's registry identity (src/identity) from its material: the NodeIdentity
// (signer, verifier, revocations), the register tokens and the registrar that POST
// /v1/register runs, all kept in the node's data directory; its background services
// (ancestor CRLs); and the listener's mutual-TLS material.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/index.js';
import { StewardError } from '../errors/index.js';
import type { ListenerTls } from '../http/listener.js';
import { CrlRefresh } from '../identity/crl-refresh.js';
import type { PeerClient } from '../peer/index.js';
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
  /** Told when the nonce store's Redis connection goes or comes back (RedisStatus). */
  onRedisState?: (up: boolean, err?: Error) => void;
  /** Origins other registries address this node by. */
  origins?: string[];
}

export async function openIdentity(d: IdentityDeps): Promise<IdentityParts> {
  const nonces = createNonceStore({ redisUrl: d.redisUrl, redis: d.onRedisState && { onStateChange: d.onRedisState } });
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

/** The node's identity services, started once the node is wired and closed with it. */
export function identityServices(id: IdentityParts, d: { config: ZoneConfig; peer: PeerClient; crlRefreshMs?: number; log?: Logger }) {
  const crls = new CrlRefresh({
    identity: id.identity,
    peer: d.peer,
    parent: d.config.parent,
    intervalMs: d.crlRefreshMs ?? DEFAULTS.identity.crlRefreshMs,
    log: d.log,
  });
  return {
    crls,
    start: () => crls.start(),
    close: () => crls.close(),
  };
}

/** Mutual TLS for the listener (zone file `tls`, or serve's --tls-cert/--tls-key): the files, and our root as the client CA. */
export function listenerTls(config: ZoneConfig, material?: IdentityMaterial): ListenerTls | undefined {
  if (!config.tls) return undefined;
  if (!material) throw new StewardError('BAD_CONFIG', `${config.zone}: tls needs a registry identity (the federation root is the client CA)`);
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new StewardError('BAD_CONFIG', `${config.zone}: cannot read tls.${what} ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  };
  return { cert: read('cert', config.tls.cert), key: read('key', config.tls.key), ca: material.rootPem };
}

// Where a node's key and certificates come from, in this order:
//   1. a registered identity in <data-dir>/identity/ (written by `register`, or by
//      `serve --namespace --parent` on its first start);
//   2. the demo federation's material in the certs directory (zone files without an
//      identity of their own): found or made on first start by ensureDemoPki, safe when
//      every demo node starts at once.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoPki, keysFromPem, materialPaths, pemBundleToDers, derToPem, publicKeyToPem, writeAtomic, writePrivateKeyAtomic, writePrivateKeyFile, type KeyAlg, type RegistryKeyPair } from '../pki/index.js';
import type { RegionEndpoint } from '../records/types.js';
import type { IdentityMaterial } from './node-identity.js';

export const REGISTRY_NAME = 'registry';

export const identityDir = (dataDir: string) => join(dataDir, 'identity');

const splitPems = (bundle: string) => pemBundleToDers(bundle).map((d) => derToPem(d));

/** A registered identity kept in `dir` (registry.key, registry.pem, registry.chain.pem), if complete. */
export function loadRegistered(dir: string): IdentityMaterial | undefined {
  const p = materialPaths(dir, REGISTRY_NAME);
  if (!existsSync(p.cert) || !existsSync(p.key) || !existsSync(p.chain)) return undefined;
  const chainPems = splitPems(readFileSync(p.chain, 'utf8'));
  if (chainPems.length === 0) return undefined;
  return { keys: keysFromPem(readFileSync(p.key, 'utf8')), certificatePem: readFileSync(p.cert, 'utf8'), chainPems, rootPem: chainPems.at(-1)! };
}

/** Writes (or replaces, on renewal) a registered identity; the certificate goes last. */
export function saveRegistered(dir: string, m: { keys: RegistryKeyPair; certificatePem: string; chainPems: string[] }): void {
  mkdirSync(dir, { recursive: true });
  const p = materialPaths(dir, REGISTRY_NAME);
  if (!existsSync(p.key)) writePrivateKeyAtomic(p.key, m.keys);
  writeAtomic(p.chain, m.chainPems.join(''));
  writeAtomic(p.cert, m.certificatePem);
}

/** The registry key kept in `dir`, if there is one (made by keygen). */
export function loadKey(dir: string): RegistryKeyPair | undefined {
  const p = materialPaths(dir, REGISTRY_NAME);
  return existsSync(p.key) ? keysFromPem(readFileSync(p.key, 'utf8')) : undefined;
}

/** Where keygen puts the public half: `<dir>/registry.pub.pem`. */
export const publicKeyPath = (dir: string) => join(dir, `${REGISTRY_NAME}.pub.pem`);

/**
 * Writes a new key pair into `dir` (registry.key 0600, registry.pub.pem). Refuses to
 * replace an existing key (EEXIST): a registry's certificate is bound to it.
 */
export function saveKeyPair(dir: string, keys: RegistryKeyPair): { key: string; pub: string } {
  mkdirSync(dir, { recursive: true });
  const key = materialPaths(dir, REGISTRY_NAME).key;
  const pub = publicKeyPath(dir);
  writePrivateKeyFile(key, keys, { exclusive: true });
  writeAtomic(pub, publicKeyToPem(keys.publicKey));
  return { key, pub };
}

/** What a registered identity was registered with, so renewal asks the same parent for the same endpoints. */
export interface Registration {
  parent: string;
  namespace: string;
  zone: string;
  endpoints: RegionEndpoint[];
  /** The endpoint is the listen URL (no --endpoint given): a restart on another port registers the new one. */
  endpoint_is_listen_url?: boolean;
}

const registrationPath = (dir: string) => join(dir, 'registration.json');

export function saveRegistration(dir: string, r: Registration): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(registrationPath(dir), JSON.stringify(r, null, 2) + '\n');
}

export function loadRegistration(dir: string): Registration | undefined {
  try {
    const r = JSON.parse(readFileSync(registrationPath(dir), 'utf8'));
    if (typeof r?.parent === 'string' && typeof r.namespace === 'string' && Array.isArray(r.endpoints)) return r as Registration;
  } catch { /* none, or unreadable: fall back to the zone config */ }
  return undefined;
}

/** The demo federation's material for `zone` (P-256 by default so a first start takes a second, not a minute). */
export async function demoMaterial(zone: string, rootDomain: string, certsDir: string, alg: KeyAlg = 'p256'): Promise<IdentityMaterial> {
  const m = await ensureDemoPki(zone, { dir: certsDir, rootDomain, alg });
  return { keys: m.keys, certificatePem: m.certificatePem, chainPems: m.chainPems, rootPem: m.rootPem };
}

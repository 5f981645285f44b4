// Where a node's key and certificates come from, in this order:
//   1. a registered identity in <data-dir>/identity/ (written by `register`, or by
//      `serve --namespace --parent` on its first start);
//   2. the demo federation's material in the certs directory (zone files without an
//      identity of their own): found or made on first start by ensureDemoPki, safe when
//      every demo node starts at once.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDemoPki, keysFromPem, materialPaths, pemBundleToDers, derToPem, writeAtomic, writePrivateKeyAtomic, type KeyAlg, type RegistryKeyPair } from '../pki/index.js';
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

/** The demo federation's material for `zone` (P-256 by default so a first start takes a second, not a minute). */
export async function demoMaterial(zone: string, rootDomain: string, certsDir: string, alg: KeyAlg = 'p256'): Promise<IdentityMaterial> {
  const m = await ensureDemoPki(zone, { dir: certsDir, rootDomain, alg });
  return { keys: m.keys, certificatePem: m.certificatePem, chainPems: m.chainPems, rootPem: m.rootPem };
}

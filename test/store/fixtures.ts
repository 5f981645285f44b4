// Real records for the store tests: an Ed25519 key signs the manifest as a compact JWS
// (public key in the header), and the record is built the way the publish path builds it.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manifestDigest } from '../../src/records/digest.js';
import type { AgentRecord, Manifest } from '../../src/records/types.js';

export const ZONE = 'acme-corp.com.steward-registry.org';
export const NAMESPACE = 'acme-corp.com';

export interface Publisher { privateKey: KeyObject; header: string; fingerprint: string }

export function newPublisher(): Publisher {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } })).toString('base64url');
  const fingerprint = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
  return { privateKey, header, fingerprint };
}

const defaultPublisher = newPublisher();

export function signManifest(manifest: object, pub: Publisher = defaultPublisher): string {
  const signingInput = `${pub.header}.${Buffer.from(JSON.stringify(manifest)).toString('base64url')}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput), pub.privateKey).toString('base64url')}`;
}

export function makeRecord(name: string, opts: Partial<Manifest> & { trust?: number; zone?: string; pub?: Publisher; seq?: number } = {}): AgentRecord {
  const { trust = 0.5, zone = ZONE, pub = defaultPublisher, seq = 1, ...fields } = opts;
  const manifest: Manifest = {
    name,
    namespace: NAMESPACE,
    version: '1.0.0',
    description: `The ${name.replace(/-/g, ' ')} agent`,
    capabilities: ['planning'],
    endpoints: [{ url: `https://agents.acme-corp.com/${name}`, protocol: 'a2a', region: 'eu-west' }],
    visibility: 'public',
    ...fields,
  };
  return {
    id: `${name}.${zone}`,
    ...manifest,
    namespace: NAMESPACE,
    zone,
    fingerprint: pub.fingerprint,
    digest: manifestDigest(manifest),
    jws: signManifest(manifest, pub),
    published_at: new Date().toISOString(),
    trust,
    vector_clock: { 'acme-1': seq },
  };
}

export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-store-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A plain JSON copy, to compare stored records with what went in. */
export const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x));

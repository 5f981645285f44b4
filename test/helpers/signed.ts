// Signed requests in tests (SPEC §5): demo certificate material for a zone and its
// ancestors, made once per process in a temp certs directory (P-256, so it takes
// milliseconds), and an HTTP call signed as one of those registries — e.g. a parent
// pulling GET /v1/sync. Child processes get the same directory (pass `testCertsDir()`).
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoMaterial } from '../../src/identity/material.js';
import type { IdentityMaterial } from '../../src/identity/node-identity.js';
import { toDer } from '../../src/pki/index.js';
import { createSigner, type Signer } from '../../src/pki/httpsig/index.js';
import { http, ROOT } from './node.js';

let dir: Promise<string> | undefined;

/** This process's demo certs directory (removed when the process exits). */
export function testCertsDir(): Promise<string> {
  dir ??= mkdtemp(join(tmpdir(), 'steward-certs-')).then((d) => {
    process.once('exit', () => rmSync(d, { recursive: true, force: true }));
    return d;
  });
  return dir;
}

const material = new Map<string, Promise<IdentityMaterial>>();

/** Demo material of `zone` (and, made on the way, its ancestors) in `certsDir`. */
export function zoneMaterial(zone: string, certsDir?: string): Promise<IdentityMaterial> {
  const key = `${certsDir ?? ''} ${zone}`;
  let m = material.get(key);
  if (!m) material.set(key, (m = (async () => demoMaterial(zone, ROOT, certsDir ?? (await testCertsDir())))()));
  return m;
}

const signers = new Map<IdentityMaterial, Signer>();

export function signerOf(m: IdentityMaterial): Signer {
  let s = signers.get(m);
  if (!s) signers.set(m, (s = createSigner({ privateKey: m.keys.privateKey, chain: [m.certificatePem, ...m.chainPems].map((p) => toDer(p)) })));
  return s;
}

/** Headers that sign `method url [body]` as the registry holding `m`. */
export function signedHeaders(m: IdentityMaterial, method: string, url: string, body?: string): Record<string, string> {
  return { ...signerOf(m).sign({ method, url, body }) };
}

/** `http()` signed as `as` (default: the root registry, every zone's ancestor). */
export async function signedHttp(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}, as?: IdentityMaterial, certsDir?: string) {
  const m = as ?? (await zoneMaterial(ROOT, certsDir));
  const method = init.method ?? 'GET';
  return http(url, { ...init, method, headers: { ...init.headers, ...signedHeaders(m, method, url, init.body) } });
}

/** GET /v1/sync signed as the root (an ancestor of every zone), the way a parent pulls. */
export const pullSync = (url: string, certsDir?: string) => signedHttp(url, {}, undefined, certsDir);

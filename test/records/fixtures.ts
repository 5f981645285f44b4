// Shared fixtures for the records tests: one key per algorithm (generated once per
// process), a valid manifest, and helpers to build JWS that our own signer never would.
import * as assert from 'uvu/assert';
import { CompactSign, importJWK, type JWK } from 'jose';
import { StewardError, type ErrorCode } from '../../src/errors/index.js';
import { generatePublisherKey, type PublisherKey } from '../../src/records/keys.js';
import type { PublisherAlg } from '../../src/records/jws.js';
import type { Manifest } from '../../src/records/types.js';

const keys = new Map<string, Promise<PublisherKey>>();
/** A cached key per (alg, slot): slot lets a test have a second, different key. */
export function key(alg: PublisherAlg = 'ES256', slot = 0): Promise<PublisherKey> {
  const k = `${alg}/${slot}`;
  if (!keys.has(k)) keys.set(k, generatePublisherKey(alg));
  return keys.get(k)!;
}

export function manifest(over: Record<string, unknown> = {}): Manifest {
  return {
    name: 'vibe-agency-orchestrator',
    namespace: 'vibe-agency.com',
    version: '1.2.0',
    description: 'Plans and runs a software delivery lifecycle',
    capabilities: ['orchestrate_sdlc', 'planning'],
    endpoints: [{ url: 'https://agents.vibe-agency.com/orchestrator', protocol: 'a2a', region: 'eu-west' }],
    tags: ['stable'],
    visibility: 'public',
    ...over,
  } as Manifest;
}

export const b64 = (x: unknown): string => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

/** Signs arbitrary payload bytes under an arbitrary protected header with a real key. */
export async function signRaw(header: Record<string, unknown>, payload: Uint8Array | string, k: PublisherKey): Promise<string> {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const priv = await importJWK({ ...k.privateJwk, kid: undefined } as JWK, k.alg);
  return new CompactSign(bytes).setProtectedHeader(header as any).sign(priv);
}

/** Awaits fn and asserts it failed with a StewardError of `code` whose detail has each fragment. */
export async function rejectsWith(fn: () => Promise<unknown> | unknown, code: ErrorCode, ...fragments: string[]): Promise<StewardError> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof StewardError)) throw err;
    assert.is(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention "${f}"`);
    return err;
  }
  return assert.unreachable(`expected ${code}, but it succeeded`) as never;
}

// Helpers for the signed-exchange tests: a child registered at `com` through the real
// POST /v1/register, references a child may push (really signed by a publisher key),
// and raw signed requests that a test can record, replay or tamper with.
import { manifestDigest } from '../../src/records/digest.js';
import { generatePublisherKey, signCompact, type PublisherKey } from '../../src/records/keys.js';
import type { RunningNode } from '../../src/node/index.js';
import { pemBundleToDers, toDer, type RegistryKeyPair } from '../../src/pki/index.js';
import { createSigner, type RequestToSign } from '../../src/pki/httpsig/index.js';
import { manifest } from '../records/fixtures.js';
import { ROOT } from '../helpers/node.js';
import { newChild, register } from './helpers.js';

export interface Registered { zone: string; namespace: string; keys: RegistryKeyPair; certificate: string; chain: string[]; serial?: string }

export async function registerChild(parent: RunningNode, namespace: string, alg: 'p256' | 'rsa4096' = 'p256', url = 'http://127.0.0.1:9'): Promise<Registered> {
  const c = await newChild(namespace, alg);
  const res = await register(parent, { namespace, csr: c.csr, endpoints: [{ url, region: 'eu-west' }] });
  if (res.status !== 201) throw new Error(`register ${namespace}: ${res.status} ${JSON.stringify(res.body)}`);
  return { zone: c.zone, namespace, keys: c.keys, certificate: res.body.certificate, chain: res.body.chain };
}

let publisher: Promise<PublisherKey> | undefined;

/** A push entry for agent `name` of `namespace`, signed by a publisher key (or a forged one). */
export async function putEntry(name: string, namespace: string, over: Record<string, unknown> = {}) {
  const key = await (publisher ??= generatePublisherKey('ES256'));
  const m = manifest({ name, namespace, endpoints: [{ url: `https://agents.example.com/${name}`, protocol: 'a2a', region: 'eu-west' }] });
  const jws = await signCompact(m, key);
  return {
    op: 'put',
    ref: {
      id: `${name}.${namespace}.${ROOT}`, namespace, zone: `${namespace}.${ROOT}`, name, version: m.version, description: m.description,
      capabilities: m.capabilities, tags: m.tags, trust: 0.5, digest: manifestDigest(m), fingerprint: key.fingerprint,
      published_at: new Date().toISOString(), vector_clock: { a: 1 }, jws, ...over,
    },
  };
}

export interface SignedRaw { method: string; url: string; headers: Record<string, string>; body?: string }

/** A signed request as a registry would send it, not yet sent (so it can be replayed or tampered with). */
export function signedRaw(who: { keys: RegistryKeyPair; certificate: string; chain: string[] }, method: string, url: string, body?: unknown, o: Partial<RequestToSign> & { signMethod?: string; signUrl?: string } = {}): SignedRaw {
  const signer = createSigner({ privateKey: who.keys.privateKey, chain: [toDer(who.certificate), ...who.chain.flatMap((p) => pemBundleToDers(p))] });
  const bytes = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...signer.sign({ ...o, method: o.signMethod ?? method, url: o.signUrl ?? url, body: bytes }) };
  if (bytes !== undefined) headers['content-type'] = 'application/json';
  return { method, url, headers, body: bytes };
}

export async function send(r: SignedRaw) {
  const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, body };
}

/** The registry material of a running demo node, as a signer needs it. */
export function materialOf(node: RunningNode): { keys: RegistryKeyPair; certificate: string; chain: string[] } {
  const id = node.ctx.identity!;
  return { keys: id.keys, certificate: id.certificatePem, chain: id.chainPems };
}

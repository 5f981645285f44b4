// Synthetic but real agents for the zone bench: deterministic names, descriptions and
// capabilities with a skewed (Zipf-like) spread, so some queries are broad and most are
// selective, signed by publishers that each own ~100 agents, as in a busy public zone.
// Letters that make look-alikes (m, w, d, l, r, o, digits) are left out of the vocabulary,
// so generated names never trip the confusable-name rule.
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { manifestDigest } from '../../src/records/digest.js';
import type { AgentRecord, Manifest } from '../../src/records/types.js';

export const ROOT = 'steward-registry.org';
export const NAMESPACE = 'bench.example';
export const ZONE = `${NAMESPACE}.${ROOT}`;
export const AGENTS_PER_PUBLISHER = 100;

const CONSONANTS = ['b', 'f', 'g', 'k', 'p', 's', 't', 'z', 'h', 'j', 'n', 'v'];
const VOWELS = ['a', 'e', 'i', 'u'];
const SYLLABLES = CONSONANTS.flatMap((c) => VOWELS.map((v) => c + v)); // 48
export const VOCAB: string[] = [];
for (let i = 0; VOCAB.length < 2000; i++) {
  const a = SYLLABLES[i % 48]!;
  const b = SYLLABLES[Math.floor(i / 48) % 48]!;
  const c = i >= 2304 ? SYLLABLES[(i * 7) % 48]! : '';
  VOCAB.push(a + b + c + (i % 3 === 0 ? 'n' : ''));
}
export const CAPABILITIES = Array.from({ length: 300 }, (_, k) => `${VOCAB[(k * 7) % 2000]}_${VOCAB[(k * 13 + 5) % 2000]}`);
const TAGS = ['stable', 'beta', 'gpu', 'eu', 'us', 'asia', 'free', 'paid', 'oss', 'certified'];

/** Deterministic pseudo-random in [0,1) from (i, salt). */
function rand(i: number, salt: number): number {
  let x = (i * 2654435761 + salt * 40503 + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}
/** Skewed pick: low indexes much more likely. */
const zipf = <T>(list: T[], r: number): T => list[Math.floor(list.length * r ** 2.5)]!;

/** Agent i's name: three vocabulary words, unique for every i < 2000^3 (a bijection mod 8e9). */
export function agentName(i: number): string {
  const x = (i * 7_919_399) % 8_000_000_000; // 7919399 is coprime with 8e9
  return `${VOCAB[x % 2000]}-${VOCAB[Math.floor(x / 2000) % 2000]}-${VOCAB[Math.floor(x / 4_000_000)]}`;
}

export function manifestFor(i: number, version = '1.0.0'): Manifest {
  const name = agentName(i);
  const caps = new Set<string>();
  const nCaps = 1 + Math.floor(rand(i, 1) * 4);
  for (let k = 0; k < nCaps; k++) caps.add(zipf(CAPABILITIES, rand(i, 10 + k)));
  const words = Array.from({ length: 8 + Math.floor(rand(i, 2) * 8) }, (_, k) => zipf(VOCAB, rand(i, 20 + k)));
  const tags = new Set<string>();
  for (let k = 0; k < Math.floor(rand(i, 3) * 3); k++) tags.add(TAGS[Math.floor(rand(i, 30 + k) * TAGS.length)]!);
  return {
    name,
    namespace: NAMESPACE,
    version,
    description: `${words.join(' ')}.`,
    capabilities: [...caps],
    endpoints: [{ url: `https://agents.${NAMESPACE}/${name}`, protocol: 'a2a', region: rand(i, 4) < 0.5 ? 'eu-west' : 'us-east' }],
    tags: [...tags],
    visibility: rand(i, 5) < 0.9 ? 'public' : 'internal',
  };
}

export interface BenchPublisher { key: KeyObject; header: string; fingerprint: string }

/** An Ed25519 SubjectPublicKeyInfo in DER: a fixed 12-byte prefix, then the 32-byte key. */
const ED25519_SPKI_BYTES = 44;

export function newPublisher(): BenchPublisher {
  // The key pair comes out as DER bytes and the signing key is a KeyObject of its own, not
  // the generator's: on Node 20, exporting a freshly generated Ed25519 KeyObject as JWK
  // holds the key's mutex while it allocates, and a garbage collection that frees the
  // finished KeyGenJob then locks the same mutex in the job's destructor — the main thread
  // deadlocks (seen in gdb: ExportJWKEdKey -> GC -> ~KeyGenJob -> uv_mutex_lock). That was
  // bench-load's publish phase and bench-zone's "client at 0% CPU" hang; no deadline can
  // fire in a thread that is blocked.
  const { privateKey: pkcs8, publicKey: spki } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { format: 'der', type: 'pkcs8' },
    publicKeyEncoding: { format: 'der', type: 'spki' },
  });
  if (spki.length !== ED25519_SPKI_BYTES) throw new Error(`unexpected Ed25519 SPKI of ${spki.length} bytes`);
  const kty = 'OKP';
  const crv = 'Ed25519';
  const x = spki.subarray(ED25519_SPKI_BYTES - 32).toString('base64url');
  return {
    key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    header: Buffer.from(JSON.stringify({ alg: 'EdDSA', jwk: { kty, crv, x } })).toString('base64url'),
    fingerprint: createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url'),
  };
}

/** Compact JWS, EdDSA, public key in the protected header (what POST /v1/agents takes). */
export function signJws(payload: object, pub: BenchPublisher): string {
  const input = `${pub.header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign(null, Buffer.from(input), pub.key).toString('base64url')}`;
}

/** The record the publish path would store for this manifest (see src/records/publish.ts). */
export function recordFor(manifest: Manifest, pub: BenchPublisher, trust: number, clock: number): AgentRecord {
  return {
    id: `${manifest.name}.${ZONE}`,
    ...manifest,
    namespace: NAMESPACE,
    zone: ZONE,
    fingerprint: pub.fingerprint,
    digest: manifestDigest(manifest),
    jws: signJws(manifest, pub),
    published_at: new Date().toISOString(),
    trust,
    vector_clock: { 'bench-1': clock },
  };
}

export const trustFor = (i: number) => Math.round((0.3 + rand(i, 6) * 0.65) * 1000) / 1000;

/**
 * Selective discover queries over `agents` generated agents: a rare capability, the two
 * rarest words of a real description (higher vocabulary index = rarer), a name word plus
 * a capability.
 */
export function selectiveQueries(agents: number, count = 3000): string[] {
  const pick = <T>(xs: T[], from = 0) => xs[from + Math.floor(Math.random() * (xs.length - from))]!;
  return Array.from({ length: count }, (_, k) => {
    const m = manifestFor(Math.floor(Math.random() * agents));
    if (k % 3 === 0) return pick(CAPABILITIES, 150);
    if (k % 3 === 1) return m.description!.split(/[ .]+/).filter(Boolean).sort((a, b) => VOCAB.indexOf(b) - VOCAB.indexOf(a)).slice(0, 2).join(' ');
    return `${m.name.split('-')[1]} ${m.capabilities[0]}`;
  });
}

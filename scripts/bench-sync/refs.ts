// Validly signed references for the subtree bench: the zone bench's synthetic agents
// (bench-zone/data.ts: skewed capabilities and words, ~100 agents per publisher key),
// spread over many child zones, each manifest signed for its own zone's namespace
// (Ed25519 compact JWS), as a child would push them (SPEC §6).
import { manifestDigest } from '../../src/records/digest.js';
import type { Reference } from '../../src/federation/push/entries.js';
import { manifestFor, newPublisher, ROOT, signJws, trustFor, type BenchPublisher } from '../bench-zone/data.js';

/** The zone every bench child sits under; the root index receives pushes from it. */
export const PARENT_NS = 'bench.example';
export const PARENT = `${PARENT_NS}.${ROOT}`;
export const ZONES = 1000;
const PUBLISHERS = 200;

const publishers: BenchPublisher[] = [];
const publisherFor = (i: number) => (publishers[i % PUBLISHERS] ??= newPublisher());

export const namespaceOf = (i: number) => `z${i % ZONES}.${PARENT_NS}`;
export const idOf = (i: number) => `${manifestFor(i).name}.${namespaceOf(i)}.${ROOT}`;

export function refFor(i: number, version = '1.0.0'): Reference {
  const namespace = namespaceOf(i);
  const zone = `${namespace}.${ROOT}`;
  const m = { ...manifestFor(i, version), namespace, visibility: 'public' as const };
  const pub = publisherFor(i);
  return {
    id: `${m.name}.${zone}`, namespace, zone, name: m.name, version: m.version, description: m.description,
    capabilities: m.capabilities, tags: m.tags ?? [], trust: trustFor(i), digest: manifestDigest(m), fingerprint: pub.fingerprint,
    published_at: new Date().toISOString(), vector_clock: { [`eu-west:${zone}`]: 1 }, jws: signJws(m, pub),
  };
}

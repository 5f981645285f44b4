// What another replica of the zone sends (GET /v1/digest and /v1/digest/entries answers)
// is hostile until checked here. A version is kept only when: it is one of the §2 record
// fields (recordFromPeer drops the rest, then the schema decides), it belongs to this
// zone and namespace, its JWS verifies under the key it names, and the digest is the
// signed manifest's. The manifest fields are then taken from the signed payload, never
// from the sender's copy. The ordering rules (same key, rising versions) are the
// writer's, against what the name holds (src/store/writer.ts, decide()).
// A delete may carry the signed unpublish it was made with (`record.tombstone`, as the
// store keeps it): kept only when it verifies under the record's key for its name,
// namespace and version (else dropped, the delete itself still counts), so this replica
// can send it on to the parent (push, GET /v1/sync) as the first one would.
import { StewardError } from '../../errors/index.js';
import type { Version } from '../../records/decide.js';
import { manifestDigest } from '../../records/digest.js';
import { verifyCompactJws } from '../../records/jws.js';
import { manifestFields } from '../../records/publish.js';
import { RECORD_LIMITS, recordFromPeer } from '../../records/record-schema.js';
import { validateManifest, validateTombstone } from '../../records/schema.js';
import type { AgentRecord } from '../../records/types.js';
import { BUCKETS, type DigestView } from './digest.js';

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const bad = (detail: string): never => {
  throw new StewardError('LAME_ANSWER', detail);
};

export async function versionFromReplica(raw: unknown, zone: { zone: string; namespace: string }): Promise<Version> {
  if (!isObj(raw) || (raw.op !== 'put' && raw.op !== 'delete')) return bad('an entry must be {op: "put" | "delete", record}');
  const r = recordFromPeer(raw.record);
  if (r.zone !== zone.zone || r.namespace !== zone.namespace) return bad(`${r.id} is not a record of ${zone.zone}`);
  const verified = await verifyCompactJws(r.jws);
  const manifest = validateManifest(verified.payload);
  if (manifest.namespace !== zone.namespace) return bad(`${r.id}: the manifest is signed for namespace ${manifest.namespace}`);
  if (verified.fingerprint !== r.fingerprint) return bad(`${r.id}: fingerprint is not the key that signed the manifest`);
  if (manifestDigest(manifest) !== r.digest) return bad(`${r.id}: digest does not match the signed manifest`);
  if (r.id !== `${manifest.name}.${zone.zone}`) return bad(`${r.id} is not the signed manifest's name ${manifest.name}`);
  if (Number.isNaN(Date.parse(r.published_at))) return bad(`${r.id}: published_at is not a date`);
  const record: AgentRecord = {
    id: r.id, ...manifestFields(manifest), namespace: zone.namespace, zone: zone.zone, fingerprint: r.fingerprint, digest: r.digest,
    jws: r.jws, published_at: r.published_at, trust: r.trust, vector_clock: { ...r.vector_clock },
  };
  const tombstone = raw.op === 'delete' && isObj(raw.record) ? await unpublishOf(raw.record.tombstone, record) : undefined;
  if (tombstone !== undefined) record.tombstone = tombstone;
  return { op: raw.op, record };
}

/** The signed unpublish of `record`'s delete, when `raw` is one that verifies for it; else undefined. */
async function unpublishOf(raw: unknown, record: AgentRecord): Promise<string | undefined> {
  if (typeof raw !== 'string' || raw.length > RECORD_LIMITS.jws) return undefined;
  try {
    const verified = await verifyCompactJws(raw);
    const t = validateTombstone(verified.payload);
    const fits = verified.fingerprint === record.fingerprint && t.name === record.name && t.namespace === record.namespace && t.version === record.version;
    return fits ? raw : undefined;
  } catch {
    return undefined;
  }
}

const HASH = /^[0-9a-f]{32}$/;

export function digestFromReplica(raw: unknown): DigestView {
  if (!isObj(raw) || typeof raw.root !== 'string' || !/^[0-9a-f]{64}$/.test(raw.root)) return bad('the digest answer has no root hash');
  const { hashes, names } = raw;
  if (!Array.isArray(hashes) || hashes.length !== BUCKETS || !hashes.every((h) => typeof h === 'string' && HASH.test(h))) return bad(`the digest answer needs ${BUCKETS} bucket hashes`);
  if (!Number.isSafeInteger(names) || (names as number) < 0) return bad('the digest answer has no name count');
  return { root: raw.root, hashes: hashes as string[], names: names as number };
}

export function pageFromReplica(raw: unknown, maxEntries: number): { entries: unknown[]; next: string | null } {
  if (!isObj(raw) || !Array.isArray(raw.entries) || raw.entries.length > maxEntries) return bad(`an entries page is {entries: [at most ${maxEntries}], next}`);
  if (raw.next !== null && (typeof raw.next !== 'string' || raw.next.length > 300)) return bad('next must be a cursor string or null');
  return { entries: raw.entries, next: raw.next };
}

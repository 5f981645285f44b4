// The stored record (SPEC §2) as another registry sends it: the manifest fields plus what
// the zone adds. Used wherever a record arrives from outside (a resolver's rd=0 answers),
// where it is hostile input: only the fields SPEC defines are kept (the rest are dropped
// before validation, at every level), then the schema decides — `recordSchema` is the
// definition, checked by record-check.ts's hand-written equivalent (ajv's generated code
// cost ~40 µs per record on the cold walk; test/records/record-check.test.ts holds the two
// to the same verdicts). Checks against the question asked (zone, id, namespace) are the
// caller's (resolver/wire.ts).
import { StewardError } from '../errors/index.js';
import { RECORD_LIMITS, recordProblem } from './record-check.js';
import { manifestSchema } from './schema.js';
import type { AgentRecord } from './types.js';

const MANIFEST_FIELDS = Object.keys(manifestSchema.properties);
const ZONE_FIELDS = ['id', 'namespace', 'zone', 'fingerprint', 'digest', 'jws', 'published_at', 'trust', 'vector_clock'] as const;
const RECORD_FIELDS = [...new Set([...MANIFEST_FIELDS, ...ZONE_FIELDS])];
const ENDPOINT_FIELDS = ['url', 'protocol', 'region'] as const;

export { RECORD_LIMITS };

const name = { type: 'string', minLength: 1, maxLength: 253 };

export const recordSchema = {
  $id: 'https://steward-registry.org/schemas/record.json',
  type: 'object',
  additionalProperties: false,
  required: [...new Set<string>([...manifestSchema.required, ...ZONE_FIELDS])],
  properties: {
    ...manifestSchema.properties,
    id: name,
    namespace: { type: 'string', maxLength: 253 },
    zone: name,
    // RFC 7638 SHA-256 thumbprint, base64url without padding.
    fingerprint: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    digest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    jws: { type: 'string', maxLength: RECORD_LIMITS.jws, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
    published_at: { type: 'string', maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2})$' },
    trust: { type: 'number', minimum: 0, maximum: 1 },
    vector_clock: {
      type: 'object',
      maxProperties: RECORD_LIMITS.vectorClockEntries,
      propertyNames: { maxLength: RECORD_LIMITS.replicaId },
      additionalProperties: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    },
  },
} as const;

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

function pick(x: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (x[f] !== undefined) out[f] = x[f];
  return out;
}

/**
 * A record received from another registry, reduced to the fields SPEC §2 defines and
 * validated; throws SCHEMA_VIOLATION naming the first problem.
 */
export function recordFromPeer(x: unknown): AgentRecord {
  if (!isObj(x)) throw new StewardError('SCHEMA_VIOLATION', 'record is not an object');
  const r = pick(x, RECORD_FIELDS);
  if (Array.isArray(r.endpoints)) r.endpoints = r.endpoints.map((e) => (isObj(e) ? pick(e, ENDPOINT_FIELDS) : e));
  const problem = recordProblem(r);
  if (problem === undefined) return r as unknown as AgentRecord;
  throw new StewardError('SCHEMA_VIOLATION', `record${problem}`);
}

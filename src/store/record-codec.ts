// How a record is held in memory: one string per agent, not an object tree. A record is
// its signed manifest plus what the zone adds, and the manifest is already inside the
// JWS, so when the record's manifest fields equal the JWS payload they are left out and
// read back from the payload. id, namespace and zone are the same for the whole zone (or
// follow from the name) and are left out too. That roughly halves the bytes per agent,
// which is what lets a million agents fit in a node (see scripts/bench-zone.ts).
import type { AgentRecord } from '../records/types.js';

export interface ZoneConsts { zone: string; namespace?: string }

/** Marker key: the manifest fields come from the JWS payload. */
const FROM_JWS = '$m';

function payloadOf(jws: unknown): Record<string, unknown> | undefined {
  if (typeof jws !== 'string') return undefined;
  const a = jws.indexOf('.');
  const b = jws.indexOf('.', a + 1);
  if (a < 0 || b < 0) return undefined;
  try {
    const p = JSON.parse(Buffer.from(jws.slice(a + 1, b), 'base64url').toString('utf8'));
    return p && typeof p === 'object' && !Array.isArray(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

export function encodeRecord(record: AgentRecord, consts: ZoneConsts): string {
  const rest: Record<string, unknown> = { ...record };
  const payload = payloadOf(record.jws);
  if (payload && Object.keys(payload).every((k) => JSON.stringify(payload[k]) === JSON.stringify(rest[k]))) {
    for (const k of Object.keys(payload)) delete rest[k];
    rest[FROM_JWS] = 1;
  }
  if (rest.zone === consts.zone) delete rest.zone;
  if (rest.id === `${record.name}.${consts.zone}`) delete rest.id;
  if (consts.namespace !== undefined && rest.namespace === consts.namespace) delete rest.namespace;
  return JSON.stringify(rest);
}

export function decodeRecord(text: string, consts: ZoneConsts): AgentRecord {
  const rest = JSON.parse(text) as Record<string, unknown>;
  let record: Record<string, unknown> = rest;
  if (rest[FROM_JWS]) {
    const payload = payloadOf(rest.jws);
    if (!payload) throw new Error('stored record lost its JWS payload'); // cannot happen: checked on encode
    delete rest[FROM_JWS];
    record = { ...payload, ...rest };
  }
  const name = record.name as string;
  record.id ??= `${name}.${consts.zone}`;
  record.zone ??= consts.zone;
  if (consts.namespace !== undefined) record.namespace ??= consts.namespace;
  return record as unknown as AgentRecord;
}

// What the store itself insists on in a record (the publish rules proper are in
// src/records): the fields its indexes and its zone depend on.
import { StewardError } from '../errors/index.js';
import { normalizeLabel } from '../names/index.js';
import type { AgentRecord } from '../records/types.js';

export function checkRecord(record: AgentRecord, zone: string): StewardError | undefined {
  if (!record || typeof record !== 'object') return new StewardError('BAD_REQUEST', 'a record must be an object');
  try {
    if (normalizeLabel(record.name) !== record.name) return new StewardError('BAD_NAME', `record name ${JSON.stringify(record.name)} is not normalised`);
  } catch (err) {
    return err as StewardError;
  }
  if (record.zone !== zone) return new StewardError('BAD_REQUEST', `record ${record.name} is for zone ${record.zone}, this store holds ${zone}`);
  if (!Array.isArray(record.capabilities) || record.capabilities.some((c) => typeof c !== 'string')) {
    return new StewardError('BAD_REQUEST', `record ${record.name}: capabilities must be an array of strings`);
  }
  if (typeof record.trust !== 'number' || !(record.trust >= 0 && record.trust <= 1)) {
    return new StewardError('BAD_REQUEST', `record ${record.name}: trust must be a number from 0 to 1`);
  }
  return undefined;
}

/** Records handed out are shared (hot cache): freezing them keeps one caller from changing another's. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// Checking what another node sent back to `GET /v1/resolve?rd=0`. Everything is hostile
// until checked: only the fields SPEC §3 defines for the answer are kept, the record is
// reduced to SPEC §2's fields and validated against the records schema and the question
// (zone asked, id, namespace), and referrals are bounded (endpoints, certificate) with
// endpoints that are bare http(s) origins, private ones only if policy allows. Anything
// else makes that endpoint "lame" for this question (as DNS resolvers call a server that
// answers out of bailiwick) and the next endpoint is tried.
import { StewardError } from '../errors/index.js';
import { isWithin, namespaceOf, normalizeName } from '../names/index.js';
import { peerOrigin } from '../peer/address.js';
import { recordFromPeer } from '../records/record-schema.js';
import { REGISTRY, visibleTo } from '../records/visibility.js';
import type { RegionEndpoint } from '../records/types.js';
import type { LocalAnswer } from './types.js';

/**
 * Header a registry sets on every question it asks another (value: the asking node's
 * zone): resolver rd=0 questions and discover's `scope=local` questions. The answering
 * side counts such a request as outside (src/http/audience.ts), whatever its address,
 * so records with visibility "internal" never leave their zone.
 */
export const RESOLVER_HEADER = 'x-steward-resolver';

/** Bounds on a referral from another zone. */
export const REFERRAL_LIMITS = { endpoints: 16, certificateBytes: 16 * 1024 } as const;

const REGION = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** A lame answer: an upstream replied, but not with a valid rd=0 answer to our question. */
export const isLame = (err: unknown): boolean => err instanceof StewardError && err.code === 'LAME_ANSWER';

const lame = (why: string): never => {
  throw new StewardError('LAME_ANSWER', why);
};

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);

function checkTtl(ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) lame(`ttl ${JSON.stringify(ttl)} is not a non-negative number`);
  return Math.floor(ttl as number);
}

export interface Question {
  name: string;
  zone: string;
  /** Known: the record's namespace must be exactly the zone's. */
  rootDomain?: string;
  /** Referral endpoints on loopback/private addresses accepted (zone policy). */
  allowPrivate?: boolean;
}

function checkRecord(x: unknown, q: Question) {
  let r;
  try {
    r = recordFromPeer(x);
  } catch (err) {
    return lame(`NOERROR with an invalid record: ${(err as Error).message}`);
  }
  if (r.id !== q.name) lame(`NOERROR with a record for ${JSON.stringify(r.id)}, asked ${q.name}`);
  if (r.zone !== q.zone) lame(`NOERROR with a record of zone ${JSON.stringify(r.zone)}, asked ${q.zone}`);
  if (r.id !== `${r.name}.${r.zone}`) lame(`record name ${r.name} does not match its id ${r.id}`);
  // We asked as a registry (RESOLVER_HEADER): an internal record must not have left its zone.
  if (!visibleTo(r, REGISTRY)) lame(`NOERROR with ${r.id}, an internal record, which never leaves its zone`);
  const ns = q.rootDomain ? namespaceOf(q.zone, q.rootDomain) : undefined;
  if (ns !== undefined ? r.namespace !== ns : r.namespace !== '' && !q.zone.startsWith(`${r.namespace}.`)) {
    lame(`record namespace ${JSON.stringify(r.namespace)} does not match zone ${q.zone}`);
  }
  return r;
}

function checkEndpoints(list: unknown, zone: string, q: Question): RegionEndpoint[] {
  if (!Array.isArray(list) || list.length === 0) return lame(`referral to ${zone} without endpoints`);
  if (list.length > REFERRAL_LIMITS.endpoints) lame(`referral to ${zone} with ${list.length} endpoints (at most ${REFERRAL_LIMITS.endpoints})`);
  return list.map((e) => {
    if (!isObj(e)) return lame('referral endpoint is not an object');
    const o = peerOrigin(e.url, { allowPrivate: q.allowPrivate ?? false });
    if ('refused' in o) return lame(`referral to ${zone}: ${o.refused}`);
    return typeof e.region === 'string' && REGION.test(e.region) ? { url: o.origin, region: e.region } : { url: o.origin };
  });
}

/** Validates an rd=0 answer from `zone` to the question `name`; throws a LAME_ANSWER StewardError. */
export function parseLocalAnswer(httpStatus: number, body: unknown, q: Question): LocalAnswer {
  if (!isObj(body)) return lame(`HTTP ${httpStatus} without a JSON answer`);
  if (body.name !== q.name) lame(`answered ${JSON.stringify(body.name)} instead of ${q.name}`);
  switch (body.status) {
    case 'NOERROR': {
      if (httpStatus !== 200) lame(`NOERROR with HTTP ${httpStatus}`);
      if (body.zone !== q.zone || !isWithin(q.name, q.zone)) lame(`NOERROR from zone ${String(body.zone)}, asked ${q.zone}`);
      if (!isObj(body.answer)) lame('NOERROR without a record for the name');
      const answer = checkRecord(body.answer, q);
      return { status: 'NOERROR', name: q.name, answer, ttl: checkTtl(body.ttl), source: 'authoritative', zone: q.zone, path: [] };
    }
    case 'NXDOMAIN': {
      if (httpStatus !== 404 && httpStatus !== 200) lame(`NXDOMAIN with HTTP ${httpStatus}`);
      if (body.zone !== q.zone || !isWithin(q.name, q.zone)) lame(`NXDOMAIN from zone ${String(body.zone)}, asked ${q.zone}`);
      return { status: 'NXDOMAIN', name: q.name, zone: q.zone, ttl: checkTtl(body.ttl) };
    }
    case 'REFERRAL': {
      const ref = body.referral;
      if (httpStatus !== 200 || !isObj(ref)) return lame('REFERRAL without a referral');
      let zone: string;
      try {
        zone = normalizeName(ref.zone);
      } catch {
        return lame(`referral to a bad zone name ${JSON.stringify(String(ref.zone).slice(0, 100))}`);
      }
      const endpoints = checkEndpoints(ref.endpoints, zone, q);
      const cert = ref.certificate;
      if (cert !== undefined && cert !== null && typeof cert !== 'string') lame(`referral to ${zone} with a certificate that is not a string`);
      if (typeof cert === 'string' && cert.length > REFERRAL_LIMITS.certificateBytes) {
        lame(`referral to ${zone} with a certificate of ${cert.length} bytes (at most ${REFERRAL_LIMITS.certificateBytes})`);
      }
      const certificate = typeof cert === 'string' && cert ? cert : undefined;
      return { status: 'REFERRAL', name: q.name, referral: { zone, endpoints, ttl: checkTtl(ref.ttl), ...(certificate ? { certificate } : {}) } };
    }
    default:
      return lame(`HTTP ${httpStatus}${typeof body.code === 'string' ? ` ${body.code.slice(0, 64)}` : ''}${typeof body.detail === 'string' ? `: ${body.detail.slice(0, 200)}` : ''}`);
  }
}

// Checking what another node sent back to `GET /v1/resolve?rd=0`. Anything that is not
// a well-formed answer for the question asked, from the zone asked, makes that endpoint
// "lame" for this question (as DNS resolvers call a server that answers out of
// bailiwick) and the next endpoint is tried.
import { StewardError } from '../errors/index.js';
import { isWithin, normalizeName } from '../names/index.js';
import type { LocalAnswer, NoErrorAnswer } from './types.js';

/**
 * Header a resolver sets on its rd=0 questions (value: the asking node's zone). The
 * authoritative side answers such questions from its public view, so records with
 * visibility "internal" never leave their zone.
 */
export const RESOLVER_HEADER = 'x-steward-resolver';

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

function checkUrl(url: unknown): string {
  if (typeof url !== 'string') return lame('referral endpoint without a url');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return lame(`referral endpoint url ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') lame(`referral endpoint url ${url} is not http(s)`);
  return url;
}

/** Validates an rd=0 answer from `zone` to the question `name`; throws a LAME_ANSWER StewardError. */
export function parseLocalAnswer(httpStatus: number, body: unknown, q: { name: string; zone: string }): LocalAnswer {
  if (!isObj(body)) return lame(`HTTP ${httpStatus} without a JSON answer`);
  if (body.name !== q.name) lame(`answered ${JSON.stringify(body.name)} instead of ${q.name}`);
  switch (body.status) {
    case 'NOERROR': {
      if (httpStatus !== 200) lame(`NOERROR with HTTP ${httpStatus}`);
      if (body.zone !== q.zone || !isWithin(q.name, q.zone)) lame(`NOERROR from zone ${String(body.zone)}, asked ${q.zone}`);
      if (!isObj(body.answer) || body.answer.id !== q.name) lame('NOERROR without a record for the name');
      return { ...(body as unknown as NoErrorAnswer), ttl: checkTtl(body.ttl) };
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
        return lame(`referral to a bad zone name ${JSON.stringify(ref.zone)}`);
      }
      if (!Array.isArray(ref.endpoints) || ref.endpoints.length === 0) lame(`referral to ${zone} without endpoints`);
      const endpoints = (ref.endpoints as unknown[]).map((e) => {
        if (!isObj(e)) return lame('referral endpoint is not an object');
        return { url: checkUrl(e.url), ...(typeof e.region === 'string' ? { region: e.region } : {}) };
      });
      const certificate = typeof ref.certificate === 'string' ? ref.certificate : undefined;
      return { status: 'REFERRAL', name: q.name, referral: { zone, endpoints, ttl: checkTtl(ref.ttl), ...(certificate ? { certificate } : {}) } };
    }
    default:
      return lame(`HTTP ${httpStatus}${typeof body.code === 'string' ? ` ${body.code}` : ''}${typeof body.detail === 'string' ? `: ${body.detail}` : ''}`);
  }
}

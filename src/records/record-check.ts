// The record schema (record-schema.ts, `recordSchema`) as straight-line code, for the cold
// walk: every record an rd=0 answer carries is checked, and ajv's generated validator
// cost ~40 µs of a ~300 µs hop. It accepts exactly what ajv accepts with this project's
// options (strict: true, so numbers must be finite; maxLength counts code points; patterns
// are compiled with the `u` flag; formats are ajv's own functions, taken from the one ajv
// instance) — test/records/record-check.test.ts holds it to ajv over valid and mutated
// records. Input is the picked record (record-schema.ts drops unknown fields first), so
// `additionalProperties: false` holds by construction. Returns the first problem as
// ajv would phrase it (path and message), or undefined.
import { ajv, LIMITS } from './schema.js';

type Check = (s: string) => boolean;

/** An ajv format as a predicate on strings (a function, a RegExp or a {validate} definition). */
function format(name: string): Check {
  const f = ajv.formats[name] as unknown;
  if (typeof f === 'function') return f as Check;
  if (f instanceof RegExp) return (s) => f.test(s);
  const v = (f as { validate?: unknown } | undefined)?.validate;
  if (typeof v === 'function') return v as Check;
  if (v instanceof RegExp) return (s) => v.test(s);
  throw new Error(`record check: ajv has no format ${name}`);
}

const LABEL = format('label');
const SEMVER = format('semver');
const URI = format('uri');

// (the same sources as the schema's patterns, with ajv's `u` flag)
const TOKEN = /^[a-z0-9_.-]{1,64}$/u;
const URL_PATTERN = /^https?:\/\/[^/?#\s@]+(?:[/?#]|$)/u;
const PROTOCOL = /^[a-z0-9][a-z0-9_.+-]{0,31}$/u;
const FINGERPRINT = /^[A-Za-z0-9_-]{43}$/u;
const DIGEST = /^sha256:[0-9a-f]{64}$/u;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/u;
const PUBLISHED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/u;

export const RECORD_LIMITS = { jws: 64 * 1024, vectorClockEntries: 64, replicaId: 256 } as const;
const JWS_MAX = RECORD_LIMITS.jws;
const CLOCK_ENTRIES = RECORD_LIMITS.vectorClockEntries;
const REPLICA_ID = RECORD_LIMITS.replicaId;

/** Code points, as ajv counts a string's length (a surrogate pair is one). */
function length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** (a string of at most `max` UTF-16 units has at most `max` code points: counted only when longer) */
const tooLong = (s: string, max: number) => s.length > max && length(s) > max;
const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

type Problem = string | undefined;

function str(x: unknown, path: string, min: number, max: number, pattern?: RegExp, fmt?: [string, Check]): Problem {
  if (typeof x !== 'string') return `${path} must be string`;
  if (tooLong(x, max)) return `${path} must NOT have more than ${max} characters`;
  if (x.length < min || (x.length < 2 * min && length(x) < min)) return `${path} must NOT have fewer than ${min} characters`;
  if (pattern && !pattern.test(x)) return `${path} must match pattern "${pattern.source}"`;
  if (fmt && !fmt[1](x)) return `${path} must match format "${fmt[0]}"`;
  return undefined;
}

/** An array of unique tokens, `min`..`max` long. */
function tokens(x: unknown, path: string, min: number, max: number): Problem {
  if (!Array.isArray(x)) return `${path} must be array`;
  if (x.length > max) return `${path} must NOT have more than ${max} items`;
  if (x.length < min) return `${path} must NOT have fewer than ${min} items`;
  for (let i = 0; i < x.length; i++) {
    const p = str(x[i], `${path}/${i}`, 0, Infinity, TOKEN);
    if (p) return p;
  }
  for (let i = 1; i < x.length; i++) {
    const j = x.indexOf(x[i]);
    if (j < i) return `${path} must NOT have duplicate items (items ## ${j} and ${i} are identical)`;
  }
  return undefined;
}

function endpoints(x: unknown): Problem {
  if (!Array.isArray(x)) return '/endpoints must be array';
  if (x.length > LIMITS.endpoints) return `/endpoints must NOT have more than ${LIMITS.endpoints} items`;
  if (x.length < 1) return '/endpoints must NOT have fewer than 1 items';
  for (let i = 0; i < x.length; i++) {
    const e = x[i];
    const at = `/endpoints/${i}`;
    if (!isObj(e)) return `${at} must be object`;
    if (e.url === undefined) return `${at} must have required property 'url'`;
    if (e.protocol === undefined) return `${at} must have required property 'protocol'`;
    const p =
      str(e.url, `${at}/url`, 0, LIMITS.url, URL_PATTERN, ['uri', URI]) ??
      str(e.protocol, `${at}/protocol`, 0, Infinity, PROTOCOL) ??
      (e.region === undefined ? undefined : str(e.region, `${at}/region`, 0, Infinity, TOKEN));
    if (p) return p;
  }
  return undefined;
}

function vectorClock(x: unknown): Problem {
  if (!isObj(x)) return '/vector_clock must be object';
  let n = 0;
  for (const k in x) {
    if (++n > CLOCK_ENTRIES) return `/vector_clock must NOT have more than ${CLOCK_ENTRIES} properties`;
    if (tooLong(k, REPLICA_ID)) return `/vector_clock property name must be valid`;
    const v = x[k];
    if (!isNum(v) || v % 1 !== 0) return `/vector_clock/${k} must be integer`;
    if (v < 0) return `/vector_clock/${k} must be >= 0`;
    if (v > Number.MAX_SAFE_INTEGER) return `/vector_clock/${k} must be <= ${Number.MAX_SAFE_INTEGER}`;
  }
  return undefined;
}

const REQUIRED = ['name', 'namespace', 'version', 'capabilities', 'endpoints', 'visibility', 'id', 'zone', 'fingerprint', 'digest', 'jws', 'published_at', 'trust', 'vector_clock'] as const;

/** The first way `r` (a record reduced to SPEC's fields) breaks the record schema, or undefined. */
export function recordProblem(r: Record<string, unknown>): Problem {
  for (const f of REQUIRED) if (r[f] === undefined) return ` must have required property '${f}'`;
  const t = r.trust;
  return (
    str(r.name, '/name', 0, 63, undefined, ['label', LABEL]) ??
    str(r.namespace, '/namespace', 0, 253) ??
    str(r.version, '/version', 0, LIMITS.version, undefined, ['semver', SEMVER]) ??
    (r.description === undefined ? undefined : str(r.description, '/description', 0, LIMITS.description)) ??
    tokens(r.capabilities, '/capabilities', 1, LIMITS.capabilities) ??
    endpoints(r.endpoints) ??
    (r.tags === undefined ? undefined : tokens(r.tags, '/tags', 0, LIMITS.tags)) ??
    (r.visibility === 'public' || r.visibility === 'internal' ? undefined : '/visibility must be equal to one of the allowed values') ??
    str(r.id, '/id', 1, 253) ??
    str(r.zone, '/zone', 1, 253) ??
    str(r.fingerprint, '/fingerprint', 0, Infinity, FINGERPRINT) ??
    str(r.digest, '/digest', 0, Infinity, DIGEST) ??
    str(r.jws, '/jws', 0, JWS_MAX, JWS) ??
    str(r.published_at, '/published_at', 0, 40, PUBLISHED_AT) ??
    (!isNum(t) ? '/trust must be number' : t < 0 ? '/trust must be >= 0' : t > 1 ? '/trust must be <= 1' : undefined) ??
    vectorClock(r.vector_clock)
  );
}

// The manifest JSON Schema (SPEC §2). Compiled once at import; validation is on the
// publish hot path, so it stops at the first problem; only a document that fails is
// checked again with allErrors, so the publisher hears of every problem at once, each
// as a readable sentence naming the field and the rule.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import semver from 'semver';
import { StewardError } from '../errors/index.js';
import { labelProblem } from '../names/index.js';
import type { Manifest, Tombstone } from './types.js';

export const LIMITS = {
  description: 1024,
  capabilities: 64,
  endpoints: 16,
  tags: 32,
  url: 2048,
  version: 256,
} as const;

const TOKEN = '^[a-z0-9_.-]{1,64}$';
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function makeAjv(allErrors: boolean): Ajv {
  const a = new Ajv({ allErrors, strict: true });
  addFormatsModule.default(a, ['uri']);
  // Labels follow SPEC §1; the reason for a bad one comes from the names module.
  a.addFormat('label', { type: 'string', validate: (s: string) => LABEL_RE.test(s) && labelProblem(s) === undefined });
  // semver.valid also accepts "v1.2.0", "=1.2.0" and padding; a published version must be the clean form.
  a.addFormat('semver', { type: 'string', validate: (s: string) => /^\d[^\s]*$/.test(s) && semver.valid(s) !== null });
  // A namespace is "" (the root zone) or dot-separated labels; the zone still has the root
  // domain to append, so it can never be a whole 253-octet name.
  a.addFormat('namespace', {
    type: 'string',
    validate: (s: string) => s === '' || s.split('.').every((l) => LABEL_RE.test(l) && labelProblem(l) === undefined),
  });
  return a;
}

export const ajv = makeAjv(false);
/** Only for documents that already failed: every problem, for the error message. */
const ajvAll = makeAjv(true);
/** At most this many problems are listed (the rest are counted). */
const MAX_LISTED = 20;

const name = { type: 'string', maxLength: 63, format: 'label' };
const namespace = { type: 'string', maxLength: 240, format: 'namespace' };
const version = { type: 'string', maxLength: LIMITS.version, format: 'semver' };

export const manifestSchema = {
  $id: 'https://steward-registry.org/schemas/manifest.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'namespace', 'version', 'capabilities', 'endpoints', 'visibility'],
  properties: {
    name,
    // Required: binds the signature to one zone, so a record cannot be replayed elsewhere.
    namespace,
    version,
    description: { type: 'string', maxLength: LIMITS.description },
    capabilities: {
      type: 'array', minItems: 1, maxItems: LIMITS.capabilities, uniqueItems: true,
      items: { type: 'string', pattern: TOKEN },
    },
    endpoints: {
      type: 'array', minItems: 1, maxItems: LIMITS.endpoints,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['url', 'protocol'],
        properties: {
          url: { type: 'string', maxLength: LIMITS.url, format: 'uri', pattern: '^https?://[^/?#\\s@]+(?:[/?#]|$)' },
          protocol: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.+-]{0,31}$' },
          region: { type: 'string', pattern: TOKEN },
        },
      },
    },
    tags: {
      type: 'array', maxItems: LIMITS.tags, uniqueItems: true,
      items: { type: 'string', pattern: TOKEN },
    },
    // Required on purpose: a publisher must say out loud whether a record leaves the zone.
    visibility: { type: 'string', enum: ['public', 'internal'] },
  },
} as const;

export const tombstoneSchema = {
  $id: 'https://steward-registry.org/schemas/tombstone.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'namespace', 'deleted', 'version'],
  properties: { name, namespace, deleted: { const: true }, version },
} as const;

const manifestValidator = { fast: ajv.compile(manifestSchema), all: ajvAll.compile(manifestSchema) };
const tombstoneValidator = { fast: ajv.compile(tombstoneSchema), all: ajvAll.compile(tombstoneSchema) };

function describe(err: ErrorObject, data: unknown): string {
  const path = err.instancePath || '';
  const at = path || '/';
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties':
      return `${path}/${String(p.additionalProperty)} is not allowed (unknown field)`;
    case 'required':
      return `${path}/${String(p.missingProperty)} is required`;
    case 'format': {
      const value = valueAt(data, path);
      if (p.format === 'label' && typeof value === 'string') {
        return `${at} ${labelProblem(value.toLowerCase()) ?? `"${value}" must be a lowercase label (a-z, 0-9, -)`}`;
      }
      if (p.format === 'namespace') return `${at} must be "" (the root zone) or a namespace of dot-separated lowercase labels (got ${JSON.stringify(value)})`;
      if (p.format === 'semver') return `${at} must be a semantic version like 1.2.0 (got ${JSON.stringify(value)})`;
      return `${at} must be a valid ${String(p.format)}`;
    }
    case 'pattern':
      if (path.endsWith('/url')) return `${at} must be an http or https URL with a host and no credentials`;
      return `${at} must match pattern ${String(p.pattern)}`;
    case 'uniqueItems':
      return `${at} must not contain duplicates (items ${String(p.j)} and ${String(p.i)} are equal)`;
    case 'enum':
      return `${at} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at} must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return `${at} ${err.message ?? 'is invalid'}`;
  }
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur: any = data;
  for (const part of pointer.split('/').slice(1)) {
    if (cur == null) return undefined;
    cur = cur[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** Every problem once, in document order (a bad URL fails both `format` and `pattern`: said once). */
export function problems(validate: ValidateFunction, x: unknown): string[] {
  validate(x);
  const seen = new Map<string, string>();
  for (const err of validate.errors ?? []) {
    const key = err.keyword === 'format' || err.keyword === 'pattern' ? `${err.instancePath}#value` : `${err.instancePath}#${err.keyword}#${JSON.stringify(err.params)}`;
    if (!seen.has(key)) seen.set(key, describe(err, x));
  }
  return [...seen.values()];
}

function check<T>(v: { fast: ValidateFunction; all: ValidateFunction }, x: unknown, what: string): T {
  if (v.fast(x)) return x as T;
  const list = problems(v.all, x);
  if (list.length <= 1) throw new StewardError('SCHEMA_VIOLATION', list[0] ? `${what}: ${list[0]}` : `${what} is invalid`, { errors: list });
  const shown = list.slice(0, MAX_LISTED);
  const more = list.length > shown.length ? `; and ${list.length - shown.length} more` : '';
  throw new StewardError('SCHEMA_VIOLATION', `${what} has ${list.length} problems: ${shown.join('; ')}${more}`, { errors: shown });
}

/** Validates a decoded manifest; throws SCHEMA_VIOLATION naming the field and rule. */
export function validateManifest(x: unknown): Manifest {
  return check<Manifest>(manifestValidator, x, 'manifest');
}

/** Validates the payload of an unpublish request `{name, namespace, deleted: true, version}`. */
export function validateTombstone(x: unknown): Tombstone {
  return check<Tombstone>(tombstoneValidator, x, 'unpublish request');
}

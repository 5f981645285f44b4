// Request bodies: size-limited (SPEC: > 64 KiB → 413), typed, and never trusted.
import type { Context } from 'hono';
import { StewardError } from '../errors/index.js';

/** The compact JWS of a publish/unpublish: raw `application/jose` text, or JSON `{"jws": "..."}`. */
export async function readJwsBody(c: Context): Promise<string> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = await c.req.text();
  if (text.length === 0) throw new StewardError('BAD_JWS', 'the request body is empty; send the compact JWS of the manifest');
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new StewardError('BAD_JSON', `the body is not valid JSON: ${(err as Error).message}`);
    }
    const jws = (parsed as { jws?: unknown } | null)?.jws;
    if (typeof jws !== 'string') throw new StewardError('BAD_REQUEST', 'a JSON body must be {"jws": "<compact JWS>"}');
    return jws.trim();
  }
  if (type && !['application/jose', 'text/plain', 'application/octet-stream'].includes(type)) {
    throw new StewardError('UNSUPPORTED_MEDIA_TYPE', `content-type ${type} is not accepted; use application/jose`);
  }
  return text.trim();
}

/** A JSON object body for federation endpoints. */
export async function readJsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StewardError('BAD_JSON', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StewardError('BAD_REQUEST', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Reads an integer query parameter within bounds, or the default. */
export function intParam(c: Context, name: string, def: number, min: number, max: number): number {
  return intValue(c.req.query(name), name, def, min, max);
}

/** `intParam` for a parameter already read (routes that do not go through hono's Context). */
export function intValue(raw: string | undefined, name: string, def: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d{1,16}$/.test(raw)) throw new StewardError('BAD_REQUEST', `query parameter ${name} must be an integer, got ${JSON.stringify(raw.slice(0, 40))}`);
  const n = Number(raw);
  if (n < min || n > max) throw new StewardError('BAD_REQUEST', `query parameter ${name} must be between ${min} and ${max}`);
  return n;
}

export function oneOf<T extends string>(c: Context, name: string, allowed: readonly T[], def: T): T {
  return oneOfValue(c.req.query(name), name, allowed, def);
}

/** `oneOf` for a parameter already read (routes that do not go through hono's Context). */
export function oneOfValue<T extends string>(raw: string | undefined, name: string, allowed: readonly T[], def: T): T {
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new StewardError('BAD_REQUEST', `query parameter ${name} must be one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

// Checking the entries of a POST /v1/push (SPEC §6) one by one: a bad entry is rejected
// by itself, never failing the others. For each entry, in order:
//   1. shape: op "put" with a ref, or op "delete" with id, version and tombstone
//   2. the name is at or below the sender's (verified) zone          NOT_PERMITTED
//      (from a replica of this zone, the sender is this zone: the name must be in a
//      zone below it — its own records travel by anti-entropy, never as references)
//   3. the JWS verifies; the signed manifest is the one the ref says  BAD_SIGNATURE / BAD_JWS
//      (name, namespace, version, digest, fingerprint)
// What survives is a reference with only the fields §6 defines.
import { StewardError } from '../../errors/index.js';
import { isWithin, normalizeName, zoneOf } from '../../names/index.js';
import { manifestDigest } from '../../records/digest.js';
import { verifyCompactJws } from '../../records/jws.js';
import { validateManifest, validateTombstone } from '../../records/schema.js';
import type { Manifest } from '../../records/types.js';
import { REGISTRY, visibleTo } from '../../records/visibility.js';

export interface Reference {
  id: string; namespace: string; zone: string; name: string; version: string; description?: string;
  capabilities: string[]; tags: string[]; trust: number; digest: string; fingerprint: string;
  published_at: string; vector_clock: Record<string, number>; manifest_url?: string; jws: string;
}

export type PushEntry = { op: 'put'; ref: Reference } | { op: 'delete'; id: string; version: string; tombstone: string; fingerprint: string };
export interface Rejected { id: string | null; code: string; detail: string }

const isObj = (x: unknown): x is Record<string, any> => !!x && typeof x === 'object' && !Array.isArray(x);
const reject = (code: string, detail: string): never => {
  throw Object.assign(new Error(detail), { code });
};

function idOf(raw: unknown): string | null {
  const id = isObj(raw) ? (raw.op === 'put' && isObj(raw.ref) ? raw.ref.id : raw.id) : undefined;
  return typeof id === 'string' ? id.slice(0, 300) : null;
}

/** The zone an id's record lives in, by the namespace it claims: `<name>.<zone>`. */
function checkPlace(id: unknown, namespace: unknown, rootDomain: string, sender: string, replica: boolean) {
  let fqid: string;
  try {
    fqid = normalizeName(id);
  } catch (err) {
    return reject('BAD_NAME', (err as Error).message);
  }
  if (!isWithin(fqid, sender) || fqid === sender) reject('NOT_PERMITTED', `${fqid} is not below the sender's zone ${sender}`);
  const own = fqid.slice(fqid.indexOf('.') + 1);
  if (replica && own === sender) reject('NOT_PERMITTED', `${fqid} is a record of ${sender} itself: its replicas exchange those by anti-entropy, not as references`);
  if (namespace === undefined) return { fqid, zone: own };
  if (typeof namespace !== 'string') return reject('SCHEMA_VIOLATION', 'namespace must be a string');
  const zone = zoneOf(namespace, rootDomain);
  if (own !== zone) reject('SCHEMA_VIOLATION', `${fqid} is not an agent of namespace ${namespace}`);
  return { fqid, zone };
}

async function checkPut(ref: unknown, rootDomain: string, sender: string, replica: boolean): Promise<PushEntry> {
  if (!isObj(ref)) return reject('SCHEMA_VIOLATION', 'a put entry needs a ref object');
  const { fqid, zone } = checkPlace(ref.id, ref.namespace, rootDomain, sender, replica);
  if (typeof ref.jws !== 'string') return reject('SCHEMA_VIOLATION', 'ref.jws is missing');
  let verified;
  try {
    verified = await verifyCompactJws(ref.jws);
  } catch (err) {
    return reject(err instanceof StewardError ? err.code : 'BAD_JWS', (err as Error).message);
  }
  let manifest: Manifest & { namespace?: string };
  try {
    manifest = validateManifest(verified.payload) as Manifest & { namespace?: string };
  } catch (err) {
    return reject('SCHEMA_VIOLATION', (err as Error).message);
  }
  if (`${manifest.name}.${zone}` !== fqid) reject('SCHEMA_VIOLATION', `the signed manifest is ${manifest.name}, not ${fqid}`);
  if (manifest.namespace !== undefined && zoneOf(manifest.namespace, rootDomain) !== zone) reject('WRONG_NAMESPACE', `the manifest is signed for namespace ${manifest.namespace}`);
  if (!visibleTo(manifest, REGISTRY)) reject('NOT_PERMITTED', `${fqid} is internal and never leaves its zone`);
  const digest = manifestDigest(manifest);
  if (ref.digest !== digest) reject('BAD_SIGNATURE', `ref.digest does not match the signed manifest (${digest})`);
  if (ref.fingerprint !== verified.fingerprint) reject('BAD_SIGNATURE', 'ref.fingerprint is not the key that signed the manifest');
  if (ref.version !== manifest.version) reject('SCHEMA_VIOLATION', `ref.version ${String(ref.version)} is not the signed ${manifest.version}`);
  const trust = typeof ref.trust === 'number' && ref.trust >= 0 && ref.trust <= 1 ? ref.trust : reject('SCHEMA_VIOLATION', 'ref.trust must be a number in [0, 1]');
  const publishedAt = typeof ref.published_at === 'string' && !Number.isNaN(Date.parse(ref.published_at)) ? ref.published_at : reject('SCHEMA_VIOLATION', 'ref.published_at must be a date');
  const clock: Record<string, number> = {};
  if (isObj(ref.vector_clock)) {
    for (const [k, v] of Object.entries(ref.vector_clock).slice(0, 64)) if (Number.isSafeInteger(v) && (v as number) >= 0 && k.length <= 256) clock[k] = v as number;
  }
  return {
    op: 'put',
    ref: {
      id: fqid, namespace: manifest.namespace ?? (ref.namespace as string), zone, name: manifest.name, version: manifest.version,
      ...(manifest.description ? { description: manifest.description } : {}),
      capabilities: manifest.capabilities, tags: manifest.tags ?? [], trust, digest, fingerprint: verified.fingerprint,
      published_at: publishedAt, vector_clock: clock, jws: ref.jws,
      ...(typeof ref.manifest_url === 'string' && /^https?:\/\//.test(ref.manifest_url) && ref.manifest_url.length <= 2048 ? { manifest_url: ref.manifest_url } : {}),
    },
  };
}

async function checkDelete(e: Record<string, any>, rootDomain: string, sender: string, replica: boolean): Promise<PushEntry> {
  const { fqid } = checkPlace(e.id, undefined, rootDomain, sender, replica);
  if (typeof e.tombstone !== 'string') return reject('SCHEMA_VIOLATION', 'a delete entry needs its tombstone (the signed unpublish)');
  let verified;
  try {
    verified = await verifyCompactJws(e.tombstone);
  } catch (err) {
    return reject(err instanceof StewardError ? err.code : 'BAD_JWS', (err as Error).message);
  }
  const t = validateTombstone(verified.payload);
  if (!fqid.startsWith(`${t.name}.`)) reject('SCHEMA_VIOLATION', `the tombstone is for ${t.name}, not ${fqid}`);
  // Bound to its namespace (SPEC §2), so one key's unpublish in one zone removes nothing in another.
  if (`${t.name}.${zoneOf(t.namespace, rootDomain)}` !== fqid) reject('WRONG_NAMESPACE', `the tombstone is signed for namespace ${t.namespace}, not for ${fqid}`);
  if (e.version !== t.version) reject('SCHEMA_VIOLATION', `version ${String(e.version)} is not the tombstone's ${t.version}`);
  return { op: 'delete', id: fqid, version: t.version, tombstone: e.tombstone, fingerprint: verified.fingerprint };
}

/** Entries checked at once: their signatures verify on libuv's thread pool in parallel (records/jws.ts). */
const PARALLEL = 64;

/**
 * `sender`: the verified zone the entries come from. `replica`: the sender is a replica of
 * this zone (sender = this zone), forwarding what its subtree index took from a child.
 */
export interface CheckOptions { rootDomain: string; sender: string; replica?: boolean }

async function checkOne(raw: unknown, opts: CheckOptions): Promise<PushEntry | Rejected> {
  try {
    if (!isObj(raw)) return reject('SCHEMA_VIOLATION', 'an entry must be an object');
    if (raw.op === 'put') return await checkPut(raw.ref, opts.rootDomain, opts.sender, !!opts.replica);
    if (raw.op === 'delete') return await checkDelete(raw, opts.rootDomain, opts.sender, !!opts.replica);
    return reject('SCHEMA_VIOLATION', 'op must be "put" or "delete"');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'SCHEMA_VIOLATION';
    return { id: idOf(raw), code, detail: (err as Error).message.slice(0, 500) };
  }
}

/** Checks every entry (each by itself, up to PARALLEL at once); the good ones (trimmed to §6's fields), in order, and the rejected ones. */
export async function checkPushEntries(entries: unknown[], opts: CheckOptions) {
  const good: PushEntry[] = [];
  const rejected: Rejected[] = [];
  for (let i = 0; i < entries.length; i += PARALLEL) {
    const done = await Promise.all(entries.slice(i, i + PARALLEL).map((raw) => checkOne(raw, opts)));
    for (const r of done) {
      if ('op' in r) good.push(r);
      else rejected.push(r);
    }
  }
  return { good, rejected };
}

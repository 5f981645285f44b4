// How a record is held in memory: a few hundred bytes per agent, not an object tree. A
// million records as objects (or even as JSON text) do not fit a 1.5 GB node, so:
// - the manifest is already inside the JWS: when the record's manifest fields equal
//   the JWS payload, only the payload is kept, as raw bytes rather than base64;
// - the JWS header holds the publisher key, shared by all of a publisher's agents: it is
//   kept once in a table, and the fingerprint (its RFC 7638 thumbprint) is derived;
// - id, namespace and zone follow from the name and the zone; the digest, date and
//   trust are kept in binary.
// Anything that does not follow these rules is kept as it came (in `meta`, or as the
// whole record's JSON), so encode → decode always gives back an equal record.
//
// Layout:
//   0      kind: 1 compact, 0 whole-record JSON (then bytes 5.. are the UTF-8 JSON)
//   1..5   u32 header index (0xffffffff: none)
//   5      flags: 1 digest is binary, 2 published_at is binary
//   6..14  f64 trust            14..22  f64 published_at (ms)     22..54  sha256 digest
//   54     u32 payload length, payload bytes, u32 signature length, signature bytes
//   rest   meta: UTF-8 JSON of the fields not derived, or empty
import { createHash } from 'node:crypto';
import type { AgentRecord, Manifest } from '../records/types.js';

const NO_HEADER = 0xffffffff;
const DIGEST_BIN = 1;
const DATE_BIN = 2;
const FIXED = 54;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** Fields every record has that the compact form rebuilds itself. */
const DERIVED = ['id', 'namespace', 'zone', 'fingerprint', 'digest', 'jws', 'published_at', 'trust'];

/** What the indexes need, read without rebuilding the JWS. */
export type IndexedFields = Pick<AgentRecord, 'name' | 'capabilities' | 'description' | 'tags' | 'visibility' | 'trust'>;

export class RecordCodec {
  namespace: string | undefined;
  private readonly headers: string[] = [];
  private readonly fingerprints: (string | undefined)[] = [];
  private readonly headerIndex = new Map<string, number>();

  constructor(readonly zone: string) {}

  /** The stored form; the buffer may be pooled, so copy it before the next encode. */
  encode(record: AgentRecord): Buffer {
    return this.compact(record) ?? whole(record);
  }

  decode(b: Buffer): AgentRecord {
    if (b[0] === 0) return JSON.parse(b.toString('utf8', 5)) as AgentRecord;
    const { payload, sig, meta } = parts(b);
    const h = b.readUInt32LE(1);
    const manifest = JSON.parse(payload.toString('utf8')) as Manifest;
    const flags = b[5]!;
    const extra = meta ? (JSON.parse(meta) as Partial<AgentRecord>) : undefined;
    return {
      id: `${manifest.name}.${this.zone}`,
      ...manifest,
      namespace: this.namespace!,
      zone: this.zone,
      fingerprint: this.fingerprints[h]!,
      digest: flags & DIGEST_BIN ? `sha256:${b.toString('hex', 22, 54)}` : undefined!,
      jws: `${this.headers[h]}.${payload.toString('base64url')}.${sig.toString('base64url')}`,
      published_at: flags & DATE_BIN ? new Date(b.readDoubleLE(14)).toISOString() : undefined!,
      trust: b.readDoubleLE(6),
      ...extra,
    } as AgentRecord;
  }

  /** The fields the indexes use; cheaper than decode (no JWS rebuilt). */
  fields(b: Buffer): IndexedFields {
    if (b[0] === 0) return JSON.parse(b.toString('utf8', 5)) as AgentRecord;
    const { payload, meta } = parts(b);
    const manifest = JSON.parse(payload.toString('utf8')) as Manifest;
    return { ...manifest, trust: b.readDoubleLE(6), ...(meta ? (JSON.parse(meta) as Partial<AgentRecord>) : undefined) };
  }

  /** Index of the JWS header in the table, or -1 (snapshot files write the header itself). */
  headerOf(b: Buffer): number {
    const h = b.readUInt32LE(1);
    return h === NO_HEADER ? -1 : h;
  }

  headerAt(index: number): string {
    return this.headers[index]!;
  }

  /** Points bytes read back from a snapshot at this process's copy of their header. */
  setHeader(b: Buffer, header: string | undefined): void {
    if (b[0] !== 0) b.writeUInt32LE(this.intern(header ?? ''), 1);
  }

  /**
   * As encode, for a caller that has already split the record's JWS and parsed its
   * payload (jwsParts): the payload is then decoded and parsed once, not twice.
   * `merged`: the record stands for `{...manifest, ...record}` (a manifest field the
   * record lacks counts as present and equal), so the caller need not build that object
   * (spreading two objects with overlapping keys costs more than the whole encode).
   */
  encodeParsed(record: AgentRecord, parsed: ParsedJws | undefined, merged = false): Buffer {
    return (parsed && this.compactParsed(record, parsed, merged)) ?? whole(parsed && merged ? { ...parsed.manifest, ...record } as AgentRecord : record);
  }

  private compact(record: AgentRecord): Buffer | undefined {
    const parsed = typeof record.jws === 'string' ? jwsParts(record.jws) : undefined;
    return parsed && this.compactParsed(record, parsed);
  }

  private compactParsed(record: AgentRecord, { header, payload, sig, manifest }: ParsedJws, merged = false): Buffer | undefined {
    const rec = record as unknown as Record<string, unknown>;
    for (const k of Object.keys(manifest)) {
      if (merged && !(k in rec)) {
        if (DERIVED.includes(k) && k !== 'namespace') return undefined;
        continue;
      }
      // A signed manifest names its namespace (SPEC §2), the record's own.
      if (k === 'namespace' ? manifest[k] !== rec[k] : DERIVED.includes(k) || !(k in rec) || (manifest[k] !== rec[k] && JSON.stringify(manifest[k]) !== JSON.stringify(rec[k]))) return undefined;
    }
    if (manifest.name !== record.name || typeof record.namespace !== 'string') return undefined;
    this.namespace ??= record.namespace;

    const h = this.intern(header);
    const meta: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) if (!(k in manifest) && !DERIVED.includes(k)) meta[k] = v;
    if (record.id !== `${record.name}.${this.zone}`) meta.id = record.id;
    if (record.namespace !== this.namespace) meta.namespace = record.namespace;
    if (record.zone !== this.zone) meta.zone = record.zone;
    if (record.fingerprint !== this.fingerprints[h]) meta.fingerprint = record.fingerprint;
    let flags = 0;
    if (typeof record.digest === 'string' && DIGEST_RE.test(record.digest)) flags |= DIGEST_BIN;
    else meta.digest = record.digest;
    const ms = typeof record.published_at === 'string' ? Date.parse(record.published_at) : NaN;
    if (Number.isFinite(ms) && new Date(ms).toISOString() === record.published_at) flags |= DATE_BIN;
    else meta.published_at = record.published_at;
    if (typeof record.trust !== 'number') meta.trust = record.trust;

    const metaText = Object.keys(meta).length ? JSON.stringify(meta) : '';
    const metaLen = Buffer.byteLength(metaText);
    // allocUnsafe draws from Node's pool; the caller copies the bytes into its arena.
    const b = Buffer.allocUnsafe(FIXED + 4 + payload.length + 4 + sig.length + metaLen).fill(0, 0, FIXED);
    b[0] = 1;
    b.writeUInt32LE(h, 1);
    b[5] = flags;
    b.writeDoubleLE(typeof record.trust === 'number' ? record.trust : 0, 6);
    if (flags & DATE_BIN) b.writeDoubleLE(ms, 14);
    if (flags & DIGEST_BIN) b.write(record.digest.slice(7), 22, 'hex');
    let at = b.writeUInt32LE(payload.length, FIXED);
    at += payload.copy(b, at);
    at = b.writeUInt32LE(sig.length, at);
    at += sig.copy(b, at);
    b.write(metaText, at, 'utf8');
    return b;
  }

  private intern(header: string): number {
    let h = this.headerIndex.get(header);
    if (h === undefined) {
      h = this.headers.length;
      this.headers.push(header);
      this.fingerprints.push(thumbprint(header));
      this.headerIndex.set(header, h);
    }
    return h;
  }
}

/** A compact JWS split, its payload and signature decoded, the payload parsed as a manifest. */
export interface ParsedJws { header: string; payload: Buffer; sig: Buffer; manifest: Record<string, unknown> }

/** The parts of a JWS the compact form keeps, or undefined when it must be kept whole. */
export function jwsParts(jws: string): ParsedJws | undefined {
  const segs = jws.split('.');
  if (segs.length !== 3) return undefined;
  const [header, payloadB64, sigB64] = segs as [string, string, string];
  const payload = Buffer.from(payloadB64, 'base64url');
  const sig = Buffer.from(sigB64, 'base64url');
  // Only canonical base64url round-trips to the same text; anything else is kept whole.
  if (payload.toString('base64url') !== payloadB64 || sig.toString('base64url') !== sigB64) return undefined;
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest) || typeof manifest.name !== 'string') return undefined;
  return { header, payload, sig, manifest };
}

function whole(record: AgentRecord): Buffer {
  const json = Buffer.from(JSON.stringify(record), 'utf8');
  const b = Buffer.alloc(5 + json.length);
  b.writeUInt32LE(NO_HEADER, 1);
  json.copy(b, 5);
  return b;
}

function parts(b: Buffer): { payload: Buffer; sig: Buffer; meta: string } {
  const p = b.readUInt32LE(FIXED);
  const payload = b.subarray(FIXED + 4, FIXED + 4 + p);
  const s = b.readUInt32LE(FIXED + 4 + p);
  const sig = b.subarray(FIXED + 8 + p, FIXED + 8 + p + s);
  return { payload, sig, meta: b.toString('utf8', FIXED + 8 + p + s) };
}

/** RFC 7638 SHA-256 thumbprint of the header's `jwk`, base64url; undefined when there is none. */
function thumbprint(headerB64: string): string | undefined {
  try {
    const jwk = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'))?.jwk;
    const required: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'], oct: ['k', 'kty'] };
    const members = required[jwk?.kty];
    if (!members || members.some((m) => typeof jwk[m] !== 'string')) return undefined;
    const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
    return createHash('sha256').update(canonical).digest('base64url');
  } catch {
    return undefined;
  }
}

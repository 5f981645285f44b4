// A digest of what a zone holds, for replicas to compare (GET /v1/digest): every name,
// live or tombstone, hashes to one of 256 buckets by its name; a bucket's hash is the XOR
// of its names' entry hashes (128 bits of SHA-256 over the version's op, manifest digest,
// key, version, published_at, trust, vector clock and JWS), kept up to date on every
// change in O(1); the root is SHA-256 over the 256 bucket hashes. Two replicas with the
// same root hold the same state; otherwise only the buckets whose hashes differ are
// listed and pulled (GET /v1/digest/entries). Built on first use (a zone without
// replicas never pays for it); one Map entry per name after that.
import { createHash } from 'node:crypto';
import { mergeClocks, type Version } from '../../records/decide.js';
import type { ChangeEntry, ZoneStore } from '../../store/zone-store.js';
import type { ZoneWriter } from '../../store/writer.js';

export const BUCKETS = 256;
const MASK = (1n << 128n) - 1n;

export interface DigestView {
  root: string;
  /** 256 bucket hashes, 32 hex digits each. */
  hashes: string[];
  names: number;
}

export interface EntriesPage {
  entries: Version[];
  /** Where the next page starts (`<bucket>:<name>`), or null when the buckets are done. */
  next: string | null;
}

export const bucketOf = (name: string): number => createHash('sha256').update(name).digest()[0]!;

/** The hash of one version of a name: equal only when the replicas hold exactly the same version. */
export function entryHash(v: Version): bigint {
  const r = v.record;
  const clock = JSON.stringify(mergeClocks(r.vector_clock, {}));
  const h = createHash('sha256').update([v.op, r.name, r.version, r.digest, r.fingerprint, r.published_at, String(r.trust), clock, r.jws].join('\n')).digest('hex');
  return BigInt(`0x${h.slice(0, 32)}`) & MASK;
}

const hex = (x: bigint) => x.toString(16).padStart(32, '0');

export class ReplicaDigest {
  private buckets: Map<string, bigint>[] | undefined;
  private sums: bigint[] = [];

  constructor(
    private readonly store: ZoneStore,
    private readonly writer: ZoneWriter,
  ) {}

  /** The current digest (built from the store on the first call, then kept up to date). */
  view(): DigestView {
    const sums = this.ready().sums;
    const hashes = sums.map(hex);
    return { root: createHash('sha256').update(hashes.join('')).digest('hex'), hashes, names: this.count() };
  }

  /** The versions in `buckets` (ascending), from `after` on, at most `limit` of them and about `maxBytes` of JSON. */
  entries(buckets: number[], after: string | null, limit: number, maxBytes: number): EntriesPage {
    const maps = this.ready().buckets!;
    const [fromBucket, fromName] = parseCursor(after);
    const entries: Version[] = [];
    let bytes = 0;
    let last = '';
    for (const b of [...new Set(buckets)].sort((x, y) => x - y)) {
      if (b < fromBucket) continue;
      const names = [...maps[b]!.keys()].sort();
      for (const name of names) {
        if (b === fromBucket && fromName !== null && name <= fromName) continue;
        if (entries.length === limit || (entries.length > 0 && bytes >= maxBytes)) return { entries, next: last };
        const v = this.writer.state(name);
        if (!v) continue;
        entries.push(v);
        last = `${b}:${name}`;
        bytes += JSON.stringify(v.record).length + 32;
      }
    }
    return { entries, next: null };
  }

  private count(): number {
    let n = 0;
    for (const m of this.buckets!) n += m.size;
    return n;
  }

  private ready(): this {
    if (this.buckets) return this;
    this.buckets = Array.from({ length: BUCKETS }, () => new Map());
    this.sums = new Array<bigint>(BUCKETS).fill(0n);
    // Read and subscribed in one synchronous step: no change can fall between the two.
    for (let since = 0; ;) {
      const page = this.store.changesSince(since, 10_000);
      for (const e of page.entries) this.set(e);
      if (page.entries.length < 10_000) break;
      since = page.next;
    }
    this.store.onChange((e) => this.set(e));
    return this;
  }

  private set(e: ChangeEntry): void {
    const name = e.record.name;
    const b = bucketOf(name);
    const map = this.buckets![b]!;
    const h = entryHash({ op: e.op, record: e.record });
    const old = map.get(name);
    this.sums[b] = this.sums[b]! ^ (old ?? 0n) ^ h;
    map.set(name, h);
  }
}

/** `<bucket>:<name>` of the last entry sent: the next page starts after it. */
function parseCursor(after: string | null): [number, string | null] {
  if (!after) return [0, null];
  const i = after.indexOf(':');
  const b = Number(after.slice(0, i));
  return Number.isInteger(b) && b >= 0 && b < BUCKETS ? [b, after.slice(i + 1)] : [0, null];
}

// What a zone snapshot holds, item by item (framing and checksums in frames.ts, files in
// append-log.ts). A restart reads a million of these, so everything is binary: a record's
// stored bytes are copied as they are, a publisher's JWS header (shared by all its agents)
// is written once and then referred to by number, and the discover indexes are written
// as their posting lists (token -> sorted record numbers) rather than re-derived from
// every record: loading a list is one copy, where re-indexing cost a parse of each
// manifest and some twenty million index insertions for a million agents.
//
// Items (little-endian), records first, then the lists:
//   META      u8 0, UTF-8 JSON of SnapshotMeta
//   PUT       u8 1, f64 seq, u8 state, f64 trust, str name, header, u32 n + record bytes
//   DELETE    u8 2, f64 seq, str name, header, u32 n + record bytes
//   POSTINGS  u8 3, u8 index (0 capabilities, 1 keywords), str token, u32 n, n x u32: the
//             ordinals (0-based, in file order) of the PUT/DELETE items holding the token
//   str       u16 n + UTF-8
//   header    i32: -1 none, -2 new (u32 n + text, numbered in order of first appearance), else its number
import { endianness } from 'node:os';

/** The first item: what the records leave out because the zone provides it. */
export interface SnapshotMeta {
  namespace?: string;
  /** Version of the token rules (tokens.ts) the posting lists were cut with. */
  tokens: number;
}

/** A name's latest change, as the reader hands it out (`bytes` valid only until the next item). */
export interface SnapshotRecord {
  seq: number;
  op: 'put' | 'delete';
  name: string;
  header: string | undefined;
  /** The stored record: a view into the read buffer (binary files) or base64 (older JSON files). */
  bytes: Buffer | string;
  state: number;
  trust: number;
  /** Only in older JSON files, which keep each record's tokens with it (binary ones: POSTINGS). */
  caps?: string[];
  kws?: string[];
}

/** One token's posting list: the ordinals of the records holding it, ascending. */
export interface SnapshotPostings {
  index: 'capabilities' | 'keywords';
  token: string;
  ordinals: Uint32Array;
}

export type SnapshotItem = SnapshotMeta | SnapshotRecord | SnapshotPostings;

const META = 0;
const PUT = 1;
const DELETE = 2;
const POSTINGS = 3;
const NO_HEADER = -1;
const NEW_HEADER = -2;
const INDEXES = ['capabilities', 'keywords'] as const;
/** Lists are copied as raw u32 bytes on little-endian hosts (all common ones), else one by one. */
const LE = endianness() === 'LE';

/** Writer side: one per snapshot file. Each call returns a view valid until the next call. */
export class SnapshotEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;
  private readonly headers = new Map<number, number>();

  constructor(private readonly headerText: (index: number) => string) {}

  meta(meta: SnapshotMeta): Buffer {
    this.pos = 0;
    this.u8(META);
    this.text(JSON.stringify(meta), 4);
    return this.buf.subarray(0, this.pos);
  }

  put(seq: number, name: string, header: number, bytes: Uint8Array, state: number, trust: number): Buffer {
    this.pos = 0;
    this.u8(PUT);
    this.f64(seq);
    this.u8(state);
    this.f64(trust);
    this.text(name, 2);
    this.header(header);
    this.bytes(bytes);
    return this.buf.subarray(0, this.pos);
  }

  delete(seq: number, name: string, header: number, bytes: Uint8Array): Buffer {
    this.pos = 0;
    this.u8(DELETE);
    this.f64(seq);
    this.text(name, 2);
    this.header(header);
    this.bytes(bytes);
    return this.buf.subarray(0, this.pos);
  }

  /** The first `n` of `ordinals` (ascending) as the token's list. */
  postings(index: SnapshotPostings['index'], token: string, ordinals: Uint32Array, n: number): Buffer {
    this.pos = 0;
    this.u8(POSTINGS);
    this.u8(INDEXES.indexOf(index));
    this.text(token, 2);
    this.u32(n);
    this.room(4 * n);
    if (LE) this.buf.set(new Uint8Array(ordinals.buffer, ordinals.byteOffset, 4 * n), this.pos);
    else for (let i = 0; i < n; i++) this.buf.writeUInt32LE(ordinals[i]!, this.pos + 4 * i);
    this.pos += 4 * n;
    return this.buf.subarray(0, this.pos);
  }

  private header(index: number): void {
    if (index < 0) return this.i32(NO_HEADER);
    const n = this.headers.get(index);
    if (n !== undefined) return this.i32(n);
    this.headers.set(index, this.headers.size);
    this.i32(NEW_HEADER);
    this.text(this.headerText(index), 4);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
  private u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  private u32(v: number): void {
    this.room(4);
    this.pos = this.buf.writeUInt32LE(v, this.pos);
  }
  private i32(v: number): void {
    this.room(4);
    this.pos = this.buf.writeInt32LE(v, this.pos);
  }
  private f64(v: number): void {
    this.room(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }
  /** A length-prefixed UTF-8 string; the prefix is 2 or 4 bytes. */
  private text(s: string, prefix: 2 | 4): void {
    const n = Buffer.byteLength(s);
    if (prefix === 2 && n > 0xffff) throw new RangeError(`snapshot string too long (${n} bytes)`);
    this.room(prefix + n);
    this.pos = prefix === 2 ? this.buf.writeUInt16LE(n, this.pos) : this.buf.writeUInt32LE(n, this.pos);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  private bytes(b: Uint8Array): void {
    this.room(4 + b.length);
    this.pos = this.buf.writeUInt32LE(b.length, this.pos);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/** Reader side: one per snapshot file, fed every item in file order. */
export class SnapshotDecoder {
  private readonly headers: string[] = [];
  private readonly rec: SnapshotRecord = { seq: 0, op: 'put', name: '', header: undefined, bytes: '', state: 0, trust: 0 };
  private b: Buffer = Buffer.alloc(0);
  private pos = 0;

  /** The item; a record is one object reused for every record item (read it before the next). */
  decode(item: Buffer): SnapshotItem {
    this.b = item;
    this.pos = 1;
    const kind = item[0];
    if (kind === META) return JSON.parse(this.text(4)) as SnapshotMeta;
    if (kind === POSTINGS) return this.postings();
    if (kind !== PUT && kind !== DELETE) throw new RangeError(`unknown snapshot item kind ${kind}`);
    const r = this.rec;
    r.op = kind === PUT ? 'put' : 'delete';
    r.seq = this.f64();
    r.state = kind === PUT ? item[this.pos++]! : 0;
    r.trust = kind === PUT ? this.f64() : 0;
    r.name = this.text(2);
    r.header = this.header();
    const n = this.u32();
    r.bytes = item.subarray(this.pos, this.pos + n);
    this.pos += n;
    if (this.pos !== item.length) throw new RangeError(`snapshot record item of ${item.length} bytes holds ${this.pos} bytes of fields`);
    return r;
  }

  private postings(): SnapshotPostings {
    const index = INDEXES[this.b[this.pos++]!];
    if (!index) throw new RangeError(`unknown index ${this.b[this.pos - 1]} in a posting list`);
    const token = this.text(2);
    const n = this.u32();
    if (this.pos + 4 * n > this.b.length) throw new RangeError('posting list runs past its item');
    const ordinals = new Uint32Array(n);
    if (LE) new Uint8Array(ordinals.buffer).set(this.b.subarray(this.pos, this.pos + 4 * n));
    else for (let i = 0; i < n; i++) ordinals[i] = this.b.readUInt32LE(this.pos + 4 * i);
    this.pos += 4 * n;
    if (this.pos !== this.b.length) throw new RangeError(`posting list item of ${this.b.length} bytes holds ${this.pos}`);
    return { index, token, ordinals };
  }

  private header(): string | undefined {
    const ref = this.b.readInt32LE(this.pos);
    this.pos += 4;
    if (ref === NO_HEADER) return undefined;
    if (ref === NEW_HEADER) {
      const text = this.text(4);
      this.headers.push(text);
      return text;
    }
    const h = this.headers[ref];
    if (h === undefined) throw new RangeError(`snapshot refers to header ${ref} before it appears`);
    return h;
  }

  private u32(): number {
    const v = this.b.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  private f64(): number {
    const v = this.b.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  private text(prefix: 2 | 4): string {
    const n = prefix === 2 ? this.b.readUInt16LE(this.pos) : this.b.readUInt32LE(this.pos);
    const start = this.pos + prefix;
    this.pos = start + n;
    if (this.pos > this.b.length) throw new RangeError('snapshot string runs past its item');
    return this.b.toString('utf8', start, this.pos);
  }
}

/** A line of an older (JSON-lines) snapshot, as the reader hands it out. */
export type LegacySnapshotLine =
  | SnapshotMeta
  | [number, 0, string, string | number, string, number, number, string[], string[]]
  | [number, 1, string, string | number, string];

/** Reads snapshots written before the binary format: same fields, JSON with base64 bytes. */
export class LegacySnapshotDecoder {
  private readonly headers: string[] = [];

  decode(line: LegacySnapshotLine): SnapshotMeta | SnapshotRecord {
    if (!Array.isArray(line)) return line;
    const ref = line[3];
    let header: string | undefined;
    if (typeof ref === 'string') this.headers.push((header = ref));
    else header = ref < 0 ? undefined : this.headers[ref];
    const put = line[1] === 0;
    return {
      seq: line[0],
      op: put ? 'put' : 'delete',
      name: line[2],
      header,
      bytes: line[4],
      state: put ? line[5] : 0,
      trust: put ? line[6] : 0,
      caps: put ? line[7] : [],
      kws: put ? line[8] : [],
    };
  }
}

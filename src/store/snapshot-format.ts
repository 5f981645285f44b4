// What a zone snapshot holds, item by item (framing and checksums in frames.ts, files in
// append-log.ts). A restart reads a million of these, so each item carries what rebuilding
// the indexes needs (visibility, trust, tokens) instead of re-deriving it, in binary: the
// stored record bytes are copied as they are, and strings that repeat across agents (a
// publisher's JWS header, common tokens) are written once and then referred to by number,
// so the reader builds each of them once and every later use is the same string.
//
// Items (little-endian):
//   META    u8 0, UTF-8 JSON of SnapshotMeta
//   PUT     u8 1, f64 seq, u8 state, f64 trust, str name, header, u32 n + record bytes,
//           u16 count + tokens (capabilities), u16 count + tokens (keywords)
//   DELETE  u8 2, f64 seq, str name, header, u32 n + record bytes
//   str     u16 n + UTF-8
//   header  i32: -1 none, -2 new (u32 n + text, numbered in order of first appearance), else its number
//   token   u32: NEW (str, numbered), ONCE (str, not numbered: a token only one agent has), else its number

/** The first item: what the records leave out because the zone provides it. */
export interface SnapshotMeta {
  namespace?: string;
  /** Version of the token rules (tokens.ts) the items' tokens were cut with. */
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
  caps: string[];
  kws: string[];
  /** The snapshot's number for each token (same order), or -1 for one written inline. */
  capIds: number[];
  kwIds: number[];
}

const META = 0;
const PUT = 1;
const DELETE = 2;
const NO_HEADER = -1;
const NEW_HEADER = -2;
const NEW = 0xffffffff;
const ONCE = 0xfffffffe;

/** Writer side: one per snapshot file. Each encode returns a view valid until the next call. */
export class SnapshotEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;
  private readonly headers = new Map<number, number>();
  private readonly tokens = new Map<string, number>();

  /** `shared(token)` says whether the token is likely to recur (worth numbering). */
  constructor(
    private readonly headerText: (index: number) => string,
    private readonly shared: (token: string) => boolean,
  ) {}

  meta(meta: SnapshotMeta): Buffer {
    this.pos = 0;
    this.u8(META);
    this.text(JSON.stringify(meta), 4);
    return this.buf.subarray(0, this.pos);
  }

  put(seq: number, name: string, header: number, bytes: Uint8Array, state: number, trust: number, caps: string[], kws: string[]): Buffer {
    this.pos = 0;
    this.u8(PUT);
    this.f64(seq);
    this.u8(state);
    this.f64(trust);
    this.text(name, 2);
    this.header(header);
    this.bytes(bytes);
    this.tokenList(caps);
    this.tokenList(kws);
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

  private header(index: number): void {
    if (index < 0) return this.i32(NO_HEADER);
    const n = this.headers.get(index);
    if (n !== undefined) return this.i32(n);
    this.headers.set(index, this.headers.size);
    this.i32(NEW_HEADER);
    this.text(this.headerText(index), 4);
  }

  private tokenList(tokens: string[]): void {
    const count = Math.min(tokens.length, 0xffff);
    this.room(2);
    this.pos = this.buf.writeUInt16LE(count, this.pos);
    for (let i = 0; i < count; i++) {
      const t = tokens[i]!;
      const n = this.tokens.get(t);
      if (n !== undefined) {
        this.u32(n);
      } else if (this.shared(t)) {
        this.tokens.set(t, this.tokens.size);
        this.u32(NEW);
        this.text(t, 2);
      } else {
        this.u32(ONCE);
        this.text(t, 2);
      }
    }
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
  private readonly tokens: string[] = [];
  private readonly rec: SnapshotRecord = { seq: 0, op: 'put', name: '', header: undefined, bytes: '', state: 0, trust: 0, caps: [], kws: [], capIds: [], kwIds: [] };
  private b: Buffer = Buffer.alloc(0);
  private pos = 0;

  /** The item's meta, or its record: one object reused for every item (read it before the next). */
  decode(item: Buffer): SnapshotMeta | SnapshotRecord {
    this.b = item;
    this.pos = 1;
    const kind = item[0];
    if (kind === META) return JSON.parse(this.text(4)) as SnapshotMeta;
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
    r.caps.length = r.kws.length = r.capIds.length = r.kwIds.length = 0;
    if (kind === PUT) {
      this.tokenList(r.caps, r.capIds);
      this.tokenList(r.kws, r.kwIds);
    }
    if (this.pos > item.length) throw new RangeError('snapshot item is shorter than its fields');
    return r;
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

  private tokenList(out: string[], ids: number[]): void {
    const count = this.b.readUInt16LE(this.pos);
    this.pos += 2;
    for (let i = 0; i < count; i++) {
      const ref = this.u32();
      if (ref === NEW) {
        const t = this.text(2);
        ids.push(this.tokens.length);
        this.tokens.push(t);
        out.push(t);
      } else if (ref === ONCE) {
        ids.push(-1);
        out.push(this.text(2));
      } else {
        const t = this.tokens[ref];
        if (t === undefined) throw new RangeError(`snapshot refers to token ${ref} before it appears`);
        ids.push(ref);
        out.push(t);
      }
    }
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
      capIds: put ? line[7].map(() => -1) : [],
      kwIds: put ? line[8].map(() => -1) : [],
    };
  }
}

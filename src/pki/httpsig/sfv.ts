// RFC 8941 Structured Field Values: the parser and serializer the signed-request headers
// need (Dictionary, List, Inner List, Item, Parameters; Integer, Decimal, String, Token,
// Byte Sequence, Boolean), following the parsing algorithms of §4.2 step by step.
// Every header here comes from another registry and is hostile until parsed: the caller
// bounds its length first, `maxMembers` bounds the top-level list or dictionary and 16
// bounds every inner list and parameter set, so no input builds more than a few hundred
// objects.
import { StewardError } from '../../errors/index.js';

export type Bare =
  | { t: 'int'; v: number }
  | { t: 'dec'; v: number }
  | { t: 'str'; v: string }
  | { t: 'tok'; v: string }
  | { t: 'bin'; v: Buffer }
  | { t: 'bool'; v: boolean };
export type Params = Map<string, Bare>;
export interface Item { kind: 'item'; bare: Bare; params: Params }
export interface InnerList { kind: 'inner'; items: Item[]; params: Params }
export type Member = Item | InnerList;

const isKeyStart = (c: number) => (c >= 97 && c <= 122) || c === 42; // a-z *
const isKeyChar = (c: number) => isKeyStart(c) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46; // 0-9 _ - .
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/; // printable ASCII except " and backslash
const TOKEN_START = /[A-Za-z*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class Parser {
  private i = 0;
  constructor(private readonly s: string, private readonly field: string, private readonly max: number, private readonly inner = 16) {}

  fail(what: string): never {
    throw new StewardError('BAD_REQUEST', `${this.field}: ${what} at offset ${this.i} (RFC 8941)`);
  }
  private peek() { return this.s[this.i]; }
  private sp() { while (this.s[this.i] === ' ') this.i++; }
  private ows() { while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++; }
  eof() { return this.i >= this.s.length; }

  /** §4.2: leading and trailing SP are discarded; anything left over is an error. */
  top<T>(parse: () => T): T {
    this.sp();
    const v = parse();
    this.sp();
    if (!this.eof()) this.fail('unexpected characters');
    return v;
  }

  dictionary(): Map<string, Member> {
    const out = new Map<string, Member>();
    while (!this.eof()) {
      const key = this.key();
      let m: Member;
      if (this.peek() === '=') {
        this.i++;
        m = this.member();
      } else {
        m = { kind: 'item', bare: { t: 'bool', v: true }, params: this.params() };
      }
      out.set(key, m);
      if (out.size > this.max) this.fail(`more than ${this.max} members`);
      if (this.commaOrEnd()) return out;
    }
    return out;
  }

  list(): Member[] {
    const out: Member[] = [];
    while (!this.eof()) {
      out.push(this.member());
      if (out.length > this.max) this.fail(`more than ${this.max} members`);
      if (this.commaOrEnd()) return out;
    }
    return out;
  }

  /** After a member: true at the end; else consumes "OWS , OWS" and requires a next member. */
  private commaOrEnd(): boolean {
    this.ows();
    if (this.eof()) return true;
    if (this.peek() !== ',') this.fail('expected a comma');
    this.i++;
    this.ows();
    if (this.eof()) this.fail('trailing comma');
    return false;
  }

  private member(): Member {
    return this.peek() === '(' ? this.innerList() : this.item();
  }

  private innerList(): InnerList {
    this.i++; // (
    const items: Item[] = [];
    for (;;) {
      this.sp();
      if (this.peek() === ')') {
        this.i++;
        return { kind: 'inner', items, params: this.params() };
      }
      items.push(this.item());
      if (items.length > this.inner) this.fail(`inner list longer than ${this.inner}`);
      const c = this.peek();
      if (c !== ' ' && c !== ')') this.fail('expected a space or ")" in an inner list');
    }
  }

  item(): Item {
    return { kind: 'item', bare: this.bare(), params: this.params() };
  }

  private params(): Params {
    const out: Params = new Map();
    while (this.peek() === ';') {
      this.i++;
      this.sp();
      const key = this.key();
      let v: Bare = { t: 'bool', v: true };
      if (this.peek() === '=') {
        this.i++;
        v = this.bare();
      }
      out.set(key, v);
      if (out.size > this.inner) this.fail(`more than ${this.inner} parameters`);
    }
    return out;
  }

  private key(): string {
    const start = this.i;
    const s = this.s;
    if (!isKeyStart(s.charCodeAt(start))) this.fail('expected a key');
    let i = start + 1;
    while (i < s.length && isKeyChar(s.charCodeAt(i))) i++;
    if (i - start > 64) this.fail('key longer than 64 characters');
    this.i = i;
    return s.slice(start, i);
  }

  private bare(): Bare {
    const c = this.peek() ?? '';
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === '"') return { t: 'str', v: this.string() };
    if (c === ':') return { t: 'bin', v: this.bytes() };
    if (c === '?') return this.boolean();
    if (TOKEN_START.test(c)) return this.token();
    return this.fail('expected an item');
  }

  private number(): Bare {
    const m = /^-?(\d{1,15})(\.\d{0,3})?/.exec(this.s.slice(this.i, this.i + 20));
    if (!m) this.fail('malformed number');
    const text = m[0];
    const next = this.s[this.i + text.length];
    if (next !== undefined && next >= '0' && next <= '9') this.fail('number too long');
    if (m[2] !== undefined) {
      if (m[1]!.length > 12 || m[2].length < 2) this.fail('malformed decimal');
      this.i += text.length;
      return { t: 'dec', v: Number(text) };
    }
    this.i += text.length;
    return { t: 'int', v: Number(text) };
  }

  private string(): string {
    const start = this.i + 1; // after "
    const end = this.s.indexOf('"', start);
    if (end < 0) this.fail('unterminated string');
    const plain = this.s.slice(start, end);
    if (PLAIN_STRING.test(plain)) { // the common case: no escapes
      this.i = end + 1;
      return plain;
    }
    this.i = start;
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i++]!;
      if (c === '\\') {
        const n = this.s[this.i++];
        if (n !== '"' && n !== '\\') this.fail('bad escape in a string');
        out += n;
      } else if (c === '"') {
        return out;
      } else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) this.fail('non-printable character in a string');
        out += c;
      }
    }
    return this.fail('unterminated string');
  }

  private bytes(): Buffer {
    this.i++; // :
    const end = this.s.indexOf(':', this.i);
    if (end < 0) this.fail('unterminated byte sequence');
    const b64 = this.s.slice(this.i, end);
    if (!BASE64.test(b64) || b64.length % 4 === 1) this.fail('byte sequence is not base64');
    this.i = end + 1;
    return Buffer.from(b64, 'base64');
  }

  private boolean(): Bare {
    const v = this.s[this.i + 1];
    if (v !== '0' && v !== '1') this.fail('malformed boolean');
    this.i += 2;
    return { t: 'bool', v: v === '1' };
  }

  private token(): Bare {
    const start = this.i;
    while (this.i < this.s.length && TOKEN_CHAR.test(this.s[this.i]!)) this.i++;
    return { t: 'tok', v: this.s.slice(start, this.i) };
  }
}

export const parseDictionary = (value: string, field: string, maxMembers = 16) => {
  const p = new Parser(value, field, maxMembers);
  return p.top(() => p.dictionary());
};
export const parseList = (value: string, field: string, maxMembers = 16) => {
  const p = new Parser(value, field, maxMembers);
  return p.top(() => p.list());
};
export const parseItem = (value: string, field: string, maxMembers = 16) => {
  const p = new Parser(value, field, maxMembers);
  return p.top(() => p.item());
};

// --- serializing (§4.1) -----------------------------------------------------------

export function serializeBare(b: Bare): string {
  switch (b.t) {
    case 'int': return String(b.v);
    case 'dec': return Number.isInteger(b.v) ? `${b.v}.0` : String(Math.round(b.v * 1000) / 1000);
    case 'str': return `"${b.v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'tok': return b.v;
    case 'bin': return `:${b.v.toString('base64')}:`;
    case 'bool': return b.v ? '?1' : '?0';
  }
}

export function serializeParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v.t === 'bool' && v.v ? `;${k}` : `;${k}=${serializeBare(v)}`;
  return out;
}

export const serializeItem = (item: Item) => serializeBare(item.bare) + serializeParams(item.params);

export const serializeInnerList = (list: InnerList) =>
  `(${list.items.map(serializeItem).join(' ')})${serializeParams(list.params)}`;

export const str = (v: string): Item => ({ kind: 'item', bare: { t: 'str', v }, params: new Map() });

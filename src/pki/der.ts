// A minimal DER reader: just enough to walk certificates and CRLs without a schema.
// The schema parser (@peculiar/asn1-schema) costs ~5 ms per certificate; this ~0.05 ms,
// which is what a cold chain verification is made of. Kept honest by a differential test
// against the schema parser (test/pki/parse.test.ts). Throws on anything malformed.

export interface Tlv {
  tag: number;
  /** offset of the tag byte */
  start: number;
  /** offset of the first content byte */
  body: number;
  /** offset just past the content */
  end: number;
}

export function readTlv(buf: Uint8Array, at: number, limit = buf.length): Tlv {
  if (at + 2 > limit) throw new Error('DER: truncated');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags unsupported');
  let len = buf[at + 1]!;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: bad length');
    if (body + n > limit) throw new Error('DER: truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i]!;
    body += n;
  }
  const end = body + len;
  if (end > limit) throw new Error('DER: truncated');
  return { tag, start: at, body, end };
}

/** The elements inside a constructed TLV. */
export function children(buf: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.body; at < t.end; ) {
    const c = readTlv(buf, at, t.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new Error(`DER: expected ${what}`);
  return t;
}

export const content = (buf: Uint8Array, t: Tlv) => buf.subarray(t.body, t.end);
export const whole = (buf: Uint8Array, t: Tlv) => buf.subarray(t.start, t.end);
export const hexOf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export function oid(buf: Uint8Array, t: Tlv): string {
  const b = content(buf, expect(t, 0x06, 'OID'));
  if (b.length === 0) throw new Error('DER: empty OID');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime / GeneralizedTime → ms since epoch. */
export function time(buf: Uint8Array, t: Tlv): number {
  const s = Buffer.from(content(buf, t)).toString('latin1');
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  if (!m) throw new Error('DER: bad time');
  let y = Number(m[1]);
  if (t.tag === 0x17) y += y < 50 ? 2000 : 1900;
  return Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A DirectoryString / IA5String value as text. */
export function text(buf: Uint8Array, t: Tlv): string {
  const b = Buffer.from(content(buf, t));
  switch (t.tag) {
    case 0x0c: return b.toString('utf8');
    case 0x13: case 0x16: case 0x14: return b.toString('latin1');
    case 0x1e: { // BMPString, UCS-2 big-endian
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b.readUInt16BE(i));
      return s;
    }
    case 0x1c: { // UniversalString, UCS-4 big-endian
      let s = '';
      for (let i = 0; i + 3 < b.length; i += 4) s += String.fromCodePoint(b.readUInt32BE(i));
      return s;
    }
    default: throw new Error('DER: not a string');
  }
}

/** BIT STRING → number with bit 0 (the first, most significant) as 1 (KeyUsage flags). */
export function bitsToNumber(buf: Uint8Array, t: Tlv): number {
  const b = content(buf, expect(t, 0x03, 'BIT STRING'));
  let n = 0;
  for (let i = 1; i < b.length; i++) for (let bit = 0; bit < 8; bit++) if (b[i]! & (0x80 >> bit)) n |= 1 << ((i - 1) * 8 + bit);
  return n;
}

export function smallInt(buf: Uint8Array, t: Tlv): number {
  const b = content(buf, expect(t, 0x02, 'INTEGER'));
  if (b.length === 0 || b.length > 4 || b[0]! & 0x80) throw new Error('DER: integer out of range');
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

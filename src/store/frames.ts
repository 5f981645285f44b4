// Binary framing of snapshot files. A snapshot of a million agents is ~700 MB; reading it
// as checksummed JSON lines cost a restart most of its time (a UTF-8 string and a
// JSON.parse per line, then base64 back to bytes), so snapshots are written as blocks:
//
//   magic "STEWSNAP" u32 version
//   block*: u32 payload length, u32 crc32(payload), payload
//     payload: u8 kind; ITEMS: (u32 length, item bytes)*; END: f64 number of items
//
// A snapshot is written to a temporary file, fsynced and only then renamed into place,
// so any damage (a bad checksum, a short file, no END block) means the file is corrupt,
// never that it was torn by a crash. What an item holds is the owner's business
// (snapshot-format.ts for a zone store).
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { corrupt } from './lines.js';

const MAGIC = Buffer.from('STEWSNAP', 'latin1');
const VERSION = 2;
const HEAD = 12;
const ITEMS = 1;
const END = 2;
const BLOCK = 1 << 20;
const CHUNK = 8 * 1024 * 1024;

/** True when the file starts like a binary snapshot (else it is a JSON-lines one). */
export async function isFramed(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD);
    const { bytesRead } = await fh.read(head, 0, HEAD, 0);
    return bytesRead === HEAD && head.subarray(0, 8).equals(MAGIC);
  } finally {
    await fh.close();
  }
}

/** Writes items into blocks of about 1 MB, each with its checksum. */
export class FrameWriter {
  // A block is built in place: 8 header bytes (length, crc), then the payload from 8 on.
  private buf = Buffer.allocUnsafe(BLOCK + 64 * 1024);
  private pos = 9;
  private count = 0;
  private started = false;

  constructor(private readonly fh: FileHandle) {}

  async add(item: Uint8Array): Promise<void> {
    if (!this.started) await this.start();
    const need = 4 + item.length;
    if (this.pos + need > this.buf.length) {
      if (this.pos > 9) await this.flush(ITEMS);
      if (9 + need > this.buf.length) this.buf = Buffer.allocUnsafe(9 + need);
      this.reset();
    }
    this.pos = this.buf.writeUInt32LE(item.length, this.pos);
    this.buf.set(item, this.pos);
    this.pos += item.length;
    this.count++;
    if (this.pos >= BLOCK) {
      await this.flush(ITEMS);
      this.reset();
    }
  }

  /** Writes the last items and the END block; returns how many items were written. */
  async end(): Promise<number> {
    if (!this.started) await this.start();
    if (this.pos > 9) await this.flush(ITEMS);
    this.reset();
    this.pos = this.buf.writeDoubleLE(this.count, this.pos);
    await this.flush(END);
    return this.count;
  }

  private async start(): Promise<void> {
    const head = Buffer.alloc(HEAD);
    MAGIC.copy(head);
    head.writeUInt32LE(VERSION, 8);
    await writeAll(this.fh, head);
    this.started = true;
  }

  private reset(): void {
    this.pos = 9; // u32 length, u32 crc, u8 kind
  }

  private async flush(kind: number): Promise<void> {
    this.buf[8] = kind;
    const payload = this.buf.subarray(8, this.pos);
    this.buf.writeUInt32LE(payload.length, 0);
    this.buf.writeUInt32LE(crc32(payload), 4);
    await writeAll(this.fh, this.buf.subarray(0, this.pos));
  }
}

async function writeAll(fh: FileHandle, bytes: Buffer): Promise<void> {
  for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off)).bytesWritten;
}

/**
 * Hands every item to `onItem` in order, as a view into a reused read buffer: it is valid
 * only during the call (copy what must be kept). Returns the number of items; throws
 * STORE_CORRUPT when a checksum fails or the file does not end with its END block.
 */
export async function readFrames(path: string, onItem: (item: Buffer) => void): Promise<number> {
  const fh = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    let pos = 0;
    let fileOffset = 0; // file offset of buf[0]
    let block = 0;
    const bad = (why: string) => corrupt(path, block + 1, `${why} at byte ${fileOffset + pos}; the snapshot is damaged`, 'block');
    /** Makes buf[pos, pos + n) hold the next n bytes of the file; false at its end. */
    const ensure = async (n: number): Promise<boolean> => {
      if (filled - pos >= n) return true;
      if (n > buf.length) {
        const bigger = Buffer.allocUnsafe(n);
        buf.copy(bigger, 0, pos, filled);
        buf = bigger;
      } else buf.copy(buf, 0, pos, filled);
      fileOffset += pos;
      filled -= pos;
      pos = 0;
      while (filled < buf.length) {
        const { bytesRead } = await fh.read(buf, filled, buf.length - filled, fileOffset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled >= n;
    };
    if (!(await ensure(HEAD)) || !buf.subarray(0, 8).equals(MAGIC) || buf.readUInt32LE(8) !== VERSION) {
      throw bad('not a version 2 snapshot file');
    }
    pos = HEAD;
    let count = 0;
    for (;;) {
      if (!(await ensure(8))) throw bad('the file ends before its END block');
      const need = 8 + buf.readUInt32LE(pos);
      if (!(await ensure(need))) throw bad('the file ends inside a block');
      const start = pos + 8;
      const end = pos + need;
      if (need < 9 || crc32(buf.subarray(start, end)) !== buf.readUInt32LE(pos + 4)) throw bad('checksum mismatch');
      const kind = buf[start];
      if (kind === END) {
        const said = need >= 17 ? buf.readDoubleLE(start + 1) : NaN;
        if (said !== count) throw bad(`END says ${said} items, the file holds ${count}`);
        return count;
      }
      if (kind !== ITEMS) throw bad(`unknown block kind ${kind}`);
      for (let at = start + 1; at < end; ) {
        const n = at + 4 <= end ? buf.readUInt32LE(at) : Infinity;
        at += 4;
        if (at + n > end) throw bad('an item runs past its block');
        onItem(buf.subarray(at, at + n));
        at += n;
        count++;
      }
      pos = end;
      block++;
    }
  } finally {
    await fh.close();
  }
}

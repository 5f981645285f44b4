// Line framing for the store's files: `crc32-hex \t json \n`. Every line carries its own
// checksum so a torn or garbled write is recognised as such and never read as data.
// Files are read in chunks (a 1M-agent zone is >1 GB on disk; it must never be held
// whole in memory next to the store it rebuilds).
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { StewardError } from '../errors/index.js';

const TAB = 9;
const NL = 10;
const CHUNK = 8 * 1024 * 1024;

export function encodeLine(json: string): string {
  return `${crc32(json).toString(16).padStart(8, '0')}\t${json}\n`;
}

/** The JSON text of one framed line (without its newline), or undefined when it does not check. */
function decodeLine(buf: Buffer, start: number, end: number): string | undefined {
  if (end - start < 10 || buf[start + 8] !== TAB) return undefined;
  const want = Number.parseInt(buf.toString('latin1', start, start + 8), 16);
  if (!Number.isFinite(want)) return undefined;
  if (crc32(buf.subarray(start + 9, end)) !== want) return undefined;
  // toString copies: the string owns its bytes and does not pin the 8 MB chunk.
  return buf.toString('utf8', start + 9, end);
}

export interface ScanResult {
  /** Byte offset just after the last good line. */
  goodEnd: number;
  /** Number of good lines. */
  lines: number;
  /** Set when the file ends in bytes with no terminating newline (a write cut short): their offset. */
  tornAt?: number;
  size: number;
}

/**
 * Calls `onLine` for every good line in order. Only bytes after the last newline can be a
 * torn write (a write cut short by a crash is a prefix of whole lines, then part of one):
 * they are reported as `tornAt`. A complete line whose checksum fails is damage, wherever it
 * is: it goes to `onBad` when given (the caller decides), else throws STORE_CORRUPT.
 */
export async function scanLines(
  path: string,
  onLine: (json: string, lineNo: number) => void,
  onBad?: (lineNo: number, offset: number) => void,
): Promise<ScanResult> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let buf = Buffer.allocUnsafe(CHUNK);
    let carry = 0; // bytes at buf[0..carry) that belong to an unfinished line
    let fileOffset = 0; // file offset of buf[0]
    let lineNo = 0;
    let good = 0;
    let goodEnd = 0;
    let tornAt: number | undefined;
    for (;;) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than a chunk
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, carry, buf.length - carry, fileOffset + carry);
      const filled = carry + bytesRead;
      let pos = 0;
      for (;;) {
        const nl = buf.indexOf(NL, pos);
        if (nl < 0 || nl >= filled) break;
        lineNo++;
        const json = decodeLine(buf, pos, nl);
        if (json === undefined) {
          if (!onBad) throw corrupt(path, lineNo, 'a complete line fails its checksum');
          onBad(lineNo, fileOffset + pos);
        } else {
          onLine(json, lineNo);
          good++;
          goodEnd = fileOffset + nl + 1;
        }
        pos = nl + 1;
      }
      if (bytesRead === 0) {
        if (filled > pos) tornAt = fileOffset + pos; // no newline: torn
        break;
      }
      buf.copy(buf, 0, pos, filled);
      carry = filled - pos;
      fileOffset += pos;
    }
    return { goodEnd, lines: good, tornAt, size };
  } finally {
    await fh.close();
  }
}

/** Damage in a store file, located by line (log, older snapshots), block or item (snapshots). */
export function corrupt(path: string, at: number, why: string, unit: 'line' | 'block' | 'item' = 'line'): StewardError {
  return new StewardError('STORE_CORRUPT', `${path} ${unit} ${at}: ${why}`, { file: path, [unit]: at });
}

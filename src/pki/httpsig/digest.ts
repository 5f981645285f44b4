// Content-Digest (RFC 9530) over the exact body bytes: `sha-256=:<base64>:`.
// The receiver requires sha-256 and, when the sender also gave sha-512, checks that too;
// other algorithms are ignored as RFC 9530 §2 allows. A mismatch is the sender's (or a
// tamperer's) fault: 400 naming the header.
import { createHash, timingSafeEqual } from 'node:crypto';
import { StewardError } from '../../errors/index.js';
import { parseDictionary } from './sfv.js';

export const contentDigest = (body: Uint8Array) =>
  `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;

const bad = (detail: string): never => {
  throw new StewardError('BAD_REQUEST', `Content-Digest: ${detail}`);
};

/** Throws BAD_REQUEST unless `header` holds the body's sha-256 (and sha-512 if given). */
export function checkContentDigest(header: string, body: Uint8Array): void {
  const dict = parseDictionary(header, 'Content-Digest', 8);
  const want = (alg: 'sha256' | 'sha512', name: string, len: number, required: boolean) => {
    const m = dict.get(name);
    if (!m) return required ? bad(`no ${name} digest`) : undefined;
    if (m.kind !== 'item' || m.bare.t !== 'bin') return bad(`${name} must be a byte sequence`);
    const got = m.bare.v;
    if (got.length !== len) return bad(`${name} must be ${len} bytes, got ${got.length}`);
    if (!timingSafeEqual(got, createHash(alg).update(body).digest())) bad(`${name} does not match the body`);
  };
  want('sha256', 'sha-256', 32, true);
  want('sha512', 'sha-512', 64, false);
}

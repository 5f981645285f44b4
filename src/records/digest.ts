// The record digest (SPEC §2): SHA-256 over the RFC 8785 (JCS) canonical manifest, so
// any party holding the manifest gets the same digest whatever its key order.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { StewardError } from '../errors/index.js';
import type { Manifest } from './types.js';

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new StewardError('BAD_REQUEST', 'value cannot be canonicalised as JSON');
  return text;
}

export function manifestDigest(manifest: Manifest): string {
  return `sha256:${createHash('sha256').update(canonicalJson(manifest)).digest('hex')}`;
}

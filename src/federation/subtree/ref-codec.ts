// How the subtree index holds a reference (SPEC §6) as bytes: through the zone store's
// RecordCodec (record-codec.ts), not a second format. A reference is a record less its
// manifest's endpoints and visibility, and those are inside its JWS anyway: so the value
// handed to the record codec is the signed manifest's fields plus the reference's own,
// which it keeps as the JWS payload bytes, an interned key header, a binary digest, date
// and trust, and a small JSON `meta` of the rest (zone, vector clock, manifest_url, the
// tombstone of a delete). Decoding gives back exactly the reference's fields.
import type { Reference } from '../push/entries.js';
import { jwsParts, RecordCodec, type IndexedFields } from '../../store/record-codec.js';
import type { StoreCodec } from '../../store/keyed-store.js';
import type { AgentRecord } from '../../records/types.js';

/** A reference as the index keeps it; a deleted one also keeps the signed unpublish. */
export type StoredRef = Reference & { tombstone?: string };

/** The record codec derives ids from one zone; each reference's zone travels in `z`. */
const HERE = 'subtree.invalid';

export class RefCodec implements StoreCodec<StoredRef> {
  private readonly inner = new RecordCodec(HERE);

  get namespace(): string | undefined { return this.inner.namespace; }
  set namespace(ns: string | undefined) { this.inner.namespace = ns; }

  encode(ref: StoredRef): Buffer {
    // The JWS is split and its payload parsed once, here, for both the merge and the codec.
    const parsed = typeof ref.jws === 'string' ? jwsParts(ref.jws) : undefined;
    const derived = ref.id === `${ref.name}.${ref.zone}`;
    // (the manifest's own fields are merged under the reference's by the codec, not here)
    const rec = derived ? { ...ref, id: `${ref.name}.${HERE}`, zone: HERE, z: ref.zone } : ref;
    return this.inner.encodeParsed(rec as unknown as AgentRecord, parsed, true);
  }

  decode(bytes: Buffer): StoredRef {
    const r = this.inner.decode(bytes) as AgentRecord & { z?: string; manifest_url?: string; tombstone?: string };
    const zone = r.z ?? r.zone;
    const ref: StoredRef = {
      id: r.z !== undefined ? `${r.name}.${zone}` : r.id, namespace: r.namespace, zone, name: r.name, version: r.version,
      ...(r.description ? { description: r.description } : {}),
      capabilities: r.capabilities, tags: r.tags ?? [], trust: r.trust, digest: r.digest, fingerprint: r.fingerprint,
      published_at: r.published_at, vector_clock: r.vector_clock ?? {},
      ...(r.manifest_url !== undefined ? { manifest_url: r.manifest_url } : {}), jws: r.jws,
    };
    if (r.tombstone !== undefined) ref.tombstone = r.tombstone;
    return ref;
  }

  fields(bytes: Buffer): IndexedFields {
    return this.inner.fields(bytes);
  }
  headerOf(bytes: Buffer): number {
    return this.inner.headerOf(bytes);
  }
  headerAt(index: number): string {
    return this.inner.headerAt(index);
  }
  setHeader(bytes: Buffer, header: string | undefined): void {
    this.inner.setHeader(bytes, header);
  }
}

// What one kind of KeyedStore holds (keyed-store.ts): its codec, key, checks and
// visibility, and the options every such store opens with.
import type { OpenFile, StoreLogger } from './append-log.js';
import type { IndexedFields } from './record-codec.js';

/** How values are held as bytes (record-codec.ts for agents); the indexes read `fields`. */
export interface StoreCodec<T> {
  namespace: string | undefined;
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
  fields(bytes: Buffer): IndexedFields;
  headerOf(bytes: Buffer): number;
  headerAt(index: number): string;
  setHeader(bytes: Buffer, header: string | undefined): void;
}

/** What one kind of store holds. */
export interface StoredShape<T> {
  codec: StoreCodec<T>;
  /** The value's key, lowercase (zone store: the label; subtree index: the FQID). */
  keyOf(value: T): string;
  /** Why the value cannot be stored, or undefined. */
  check(value: T): Error | undefined;
  /** The value's visibility (SPEC §2), kept per slot so discover filters without decoding. */
  visibility(value: T): unknown;
  /** What the store is called in messages. */
  what: string;
}

/** Every value a KeyedStore holds has at least what a discover result shows. */
export interface Discoverable extends Pick<IndexedFields, 'name' | 'capabilities' | 'description' | 'tags'> {
  id: string;
  namespace: string;
  version: string;
  trust: number;
}

export interface KeyedStoreOptions {
  /** Directory for the log and snapshots; absent = memory only. */
  dir?: string;
  fsync?: boolean;
  /** Compact once at least this many entries were logged since the last snapshot... */
  compactAfter?: number;
  /**
   * ...and the log holds at least this many times the entries of the last snapshot (about
   * the store's keys). A restart reads snapshot + log, so this bounds it near (1 + ratio)
   * × the store; a bulk import snapshots at geometric steps (100k, 200k, 400k...).
   */
  compactRatio?: number;
  /** Decoded values kept ready for get(). */
  hotRecords?: number;
  /** Open even though acknowledged data is missing (each loss is logged); else STORE_CORRUPT. */
  acceptDataLoss?: boolean;
  log?: StoreLogger;
  /** Tests: how the log opens files for writing, and how often a failing disk is probed. */
  openFile?: OpenFile;
  probeMs?: number;
}


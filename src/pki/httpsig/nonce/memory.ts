// In-process nonce store: a map key → expiry plus buckets of keys by expiry second, so
// expired nonces are dropped in O(1) amortised per claim without a timer. Bounded by
// entries and by bytes; when full of nonces that are all still live it refuses
// (NONCE_STORE_DOWN) instead of evicting one, since evicting a live nonce is a replay hole.
import { StewardError } from '../../../errors/index.js';
import type { NonceStore } from './types.js';

export interface MemoryNonceStoreOptions {
  maxEntries?: number;
  maxBytes?: number;
  now?: () => number;
}

const ENTRY_OVERHEAD = 96; // Map slot + bucket slot + number, roughly

export class MemoryNonceStore implements NonceStore {
  readonly name = 'memory';
  private readonly expiry = new Map<string, number>();
  private readonly buckets = new Map<number, string[]>();
  private swept: number; // every bucket ≤ this second is gone
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor({ maxEntries = 1_000_000, maxBytes = 128 * 1024 * 1024, now = Date.now }: MemoryNonceStoreOptions = {}) {
    if (!(maxEntries > 0) || !(maxBytes > 0)) throw new StewardError('BAD_CONFIG', 'nonce store bounds must be positive');
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.now = now;
    this.swept = Math.floor(now() / 1000);
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    this.sweep(now);
    const exp = this.expiry.get(key);
    if (exp !== undefined && exp > now) return false;
    if (exp === undefined && (this.expiry.size >= this.maxEntries || this.bytes >= this.maxBytes)) {
      throw new StewardError('NONCE_STORE_DOWN', `the replay window is full (${this.expiry.size} live nonces); try again shortly`);
    }
    const until = now + Math.max(1, ttlSeconds) * 1000;
    if (exp === undefined) this.bytes += key.length * 2 + ENTRY_OVERHEAD;
    this.expiry.set(key, until);
    const second = Math.ceil(until / 1000);
    const bucket = this.buckets.get(second);
    if (bucket) bucket.push(key);
    else this.buckets.set(second, [key]);
    return true;
  }

  get size() {
    return this.expiry.size;
  }

  private sweep(now: number) {
    const upTo = Math.floor(now / 1000);
    if (upTo <= this.swept) return;
    if (upTo - this.swept > this.buckets.size) {
      for (const second of [...this.buckets.keys()]) if (second <= upTo) this.drop(second);
    } else {
      for (let s = this.swept + 1; s <= upTo; s++) this.drop(s);
    }
    this.swept = upTo;
  }

  private drop(second: number) {
    const keys = this.buckets.get(second);
    if (!keys) return;
    this.buckets.delete(second);
    for (const k of keys) {
      const exp = this.expiry.get(k);
      // Re-claimed after expiring: it lives in a later bucket now.
      if (exp !== undefined && exp <= second * 1000) {
        this.expiry.delete(k);
        this.bytes -= k.length * 2 + ENTRY_OVERHEAD;
      }
    }
  }

  async close(): Promise<void> {
    this.expiry.clear();
    this.buckets.clear();
    this.bytes = 0;
  }
}

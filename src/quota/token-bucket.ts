// Per-client read limit, synchronous and in process: the warm resolve path cannot afford a
// Promise or a Redis round trip per answer. One token bucket per client (capacity
// `points`, refilled at points/per_seconds), kept in a map bounded by entries; the bucket
// is also remembered on the socket, so a keep-alive connection pays one property read.
// A bucket dropped from a full map starts full again on its client's next connection:
// only a client with more addresses than the map holds gains by it.
import type { Socket } from 'node:net';
import { socketClient } from './client.js';

interface Bucket {
  tokens: number;
  at: number;
}

const BUCKET = Symbol('steward.readBucket');
type Tagged = Socket & { [BUCKET]?: Bucket };

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly capacity: number,
    perSeconds: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = capacity / (perSeconds * 1000);
  }

  get size() {
    return this.buckets.size;
  }

  /** Takes a token for `client`: 0 when granted, else whole seconds until one is free. */
  take(client: string): number {
    return this.spend(this.bucket(client));
  }

  /** take() for the socket's peer (socketClient), its bucket cached on the socket. */
  takeForSocket(socket: Socket): number {
    const s = socket as Tagged;
    return this.spend(s[BUCKET] ?? (s[BUCKET] = this.bucket(socketClient(socket))));
  }

  private bucket(client: string): Bucket {
    let b = this.buckets.get(client);
    if (b === undefined) {
      if (this.buckets.size >= this.maxEntries) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.capacity, at: this.now() };
      this.buckets.set(client, b);
    }
    return b;
  }

  private spend(b: Bucket): number {
    const now = this.now();
    if (now > b.at) {
      b.tokens = Math.min(this.capacity, b.tokens + (now - b.at) * this.perMs);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
  }
}

// Two tiers: the in-process LRU in front of the shared one (Redis). Reads try memory
// first and fall through when memory has nothing fresh; a fresher entry found below is
// copied up so the next read stays in process. Writes go to both.
import type { MemoryCache } from './memory.js';
import type { CacheEntry, ResolverCache } from './types.js';

export class TieredCache implements ResolverCache {
  readonly name: string;

  constructor(
    private readonly near: MemoryCache,
    private readonly far: ResolverCache,
    private readonly now: () => number = Date.now,
  ) {
    this.name = `${near.name}+${far.name}`;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const near = this.near.peek(key);
    if (near && near.expiresAt > this.now()) return near;
    const far = await this.far.get(key);
    if (far && (!near || far.expiresAt > near.expiresAt)) {
      await this.near.set(key, far);
      return far;
    }
    return near;
  }

  /** Memory only: undefined sends the caller to get(), which asks Redis. */
  peek(key: string): CacheEntry | undefined {
    return this.near.peek(key);
  }

  async set(key: string, entry: CacheEntry, wireBytes?: number): Promise<void> {
    await this.near.set(key, entry, wireBytes);
    await this.far.set(key, entry);
  }

  async delete(key: string): Promise<void> {
    await Promise.all([this.near.delete(key), this.far.delete(key)]);
  }

  state(): 'up' | 'down' {
    return this.far.state?.() ?? 'up';
  }

  async close(): Promise<void> {
    await Promise.all([this.near.close(), this.far.close()]);
  }
}

// One-time register tokens (`policy.register: "token"`): the parent's operator makes one
// with `steward-registry invite --namespace N`; it is bound to that namespace, expires, and
// is used up by the first registration that presents it. Only a SHA-256 of each token is
// stored, durably (DurableTable), so the table on disk gives nobody a usable token.
import { createHash, randomBytes } from 'node:crypto';
import { StewardError } from '../errors/index.js';
import { DurableTable } from '../store/table.js';

interface TokenEntry { namespace: string; expires_at: string; used_at?: string }

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_RE = /^[A-Za-z0-9_-]{22,128}$/;

export class RegisterTokens {
  /** Tokens being used right now: two registrations racing with one token get it once. */
  private readonly using = new Set<string>();

  private constructor(private readonly table: DurableTable<TokenEntry>) {}

  static async open(dir?: string, fsync = true): Promise<RegisterTokens> {
    return new RegisterTokens(await DurableTable.open<TokenEntry>({ dir, fsync }));
  }

  /** A new token for `namespace`, valid for `ttlSeconds`. */
  async create(namespace: string, ttlSeconds: number, now = Date.now()): Promise<{ token: string; expires_at: string }> {
    // The prefix keeps a token from ever starting with '-', which a command line would
    // read as an option (`--token -x…`), and makes one recognisable in logs and chats.
    const token = `srt_${randomBytes(24).toString('base64url')}`;
    const expires_at = new Date(now + ttlSeconds * 1000).toISOString();
    await this.table.put(hash(token), { namespace, expires_at });
    this.prune(now);
    return { token, expires_at };
  }

  /** Uses up `token` for `namespace`, or throws REGISTER_FORBIDDEN saying why. */
  async consume(token: unknown, namespace: string, now = Date.now()): Promise<void> {
    const refuse = (why: string): never => {
      throw new StewardError('REGISTER_FORBIDDEN', `registering ${namespace || '(root)'} needs a register token from this registry's operator: ${why}`);
    };
    if (token === undefined || token === null || token === '') refuse('none was given');
    if (typeof token !== 'string' || !TOKEN_RE.test(token)) return refuse('the token is malformed');
    const key = hash(token);
    const entry = this.table.get(key);
    if (!entry) return refuse('the token is not known here');
    if (entry.used_at || this.using.has(key)) refuse(`the token was already used${entry.used_at ? ` at ${entry.used_at}` : ''}`);
    if (Date.parse(entry.expires_at) <= now) refuse(`the token expired at ${entry.expires_at}`);
    if (entry.namespace !== namespace) refuse(`the token is for ${entry.namespace}, not ${namespace}`);
    // Marked used before the certificate is issued: a crash in between costs the token, never reuses it.
    this.using.add(key);
    try {
      await this.table.put(key, { ...entry, used_at: new Date(now).toISOString() });
    } finally {
      this.using.delete(key);
    }
  }

  close(): Promise<void> {
    return this.table.close();
  }

  /** Forgets tokens a day past their expiry (used or not). */
  private prune(now: number) {
    for (const [k, e] of this.table.entries()) {
      if (Date.parse(e.expires_at) + 86_400_000 < now) void this.table.delete(k).catch(() => undefined);
    }
  }
}

// Whether a node's Redis is in use and answering, for the operator: one log line when it is
// configured, one when it is reached, one each time it goes away or comes back, and the
// same state in /healthz. Each Redis user of the node (resolver cache, nonce store, quota)
// has its own connection and reports into one of these; the node's Redis is "up" when
// every connection is, "down" once any of them has lost it, and "connecting" before that.
import type { Logger } from 'pino';
import { describeRedis } from './url.js';

export type RedisState = 'connecting' | 'up' | 'down';

export interface RedisHealth {
  state: RedisState;
  /** "Redis Cluster 127.0.0.1:7000,127.0.0.1:7001" (no password). */
  target: string;
  /** ISO time of the last change. */
  since: string;
  /** The last connection error while down. */
  error?: string;
  /** Per user: cache, nonces, quota. */
  users: Record<string, RedisState>;
}

/** What each user does while Redis is away, for the warning. */
const MEANWHILE: Record<string, string> = {
  cache: 'the resolver cache is per process',
  nonces: 'signed requests are refused (NONCE_STORE_DOWN)',
  quota: 'publish limits count per process',
};

export class RedisStatus {
  readonly target: string;
  private readonly users = new Map<string, RedisState>();
  private current: RedisState = 'connecting';
  private since = new Date();
  private error?: string;
  private wasUp = false;

  constructor(
    url: string,
    private readonly log?: Logger,
    private readonly zone?: string,
  ) {
    this.target = describeRedis(url);
    log?.info({ zone, redis: this.target }, `Redis in use: ${this.target}`);
  }

  /** The onStateChange callback for one user's connection. */
  watch(user: string): (up: boolean, err?: Error) => void {
    this.users.set(user, 'connecting');
    return (up, err) => {
      this.users.set(user, up ? 'up' : 'down');
      if (!up) this.error = err?.message ?? 'connection closed';
      this.update();
    };
  }

  private update() {
    const states = [...this.users.values()];
    const next: RedisState = states.includes('down') ? 'down' : states.every((s) => s === 'up') ? 'up' : this.current === 'down' ? 'down' : 'connecting';
    if (next === this.current) return;
    const before = this.current;
    this.current = next;
    this.since = new Date();
    const fields = { zone: this.zone, redis: this.target };
    if (next === 'up') {
      this.error = undefined;
      this.log?.info(fields, this.wasUp ? `Redis is back: ${this.target}` : `Redis connected: ${this.target}`);
      this.wasUp = true;
    } else if (next === 'down') {
      const down = [...this.users].filter(([, s]) => s === 'down').map(([u]) => u);
      const what = before === 'connecting' && !this.wasUp ? 'Redis is unreachable' : 'Redis has gone away';
      const meanwhile = [...this.users.keys()].map((u) => MEANWHILE[u] ?? `${u} waits`).join('; ');
      this.log?.warn({ ...fields, err: this.error, users: down }, `${what}: ${this.target} (${this.error}); until it is back: ${meanwhile}`);
    }
  }

  state(): RedisState {
    return this.current;
  }

  health(): RedisHealth {
    return {
      state: this.current,
      target: this.target,
      since: this.since.toISOString(),
      ...(this.error && this.current !== 'up' ? { error: this.error } : {}),
      users: Object.fromEntries(this.users),
    };
  }
}

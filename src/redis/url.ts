// REDIS_URL forms (README "Redis"):
//   redis://[[user]:password@]host:port[/db]      one server (rediss:// for TLS), as ioredis reads it
//   redis+sentinel://[[user]:password@]h1:p1,h2:p2/master[/db][?sentinel_password=...]
//                                                 Redis Sentinel: the sentinels and the master's name
//   redis+cluster://[[user]:password@]h1:p1,h2:p2  Redis Cluster: any reachable seed nodes
// `rediss+sentinel://`, `rediss+cluster://` use TLS; `redis-sentinel://` and
// `redis-cluster://` are accepted as the same forms. A port defaults to 26379 for sentinels
// and 6379 for cluster nodes.
import { StewardError } from '../errors/index.js';

export interface HostPort {
  host: string;
  port: number;
}

interface Auth {
  username?: string;
  password?: string;
  tls: boolean;
}

export type RedisTarget =
  | ({ kind: 'single'; url: string } & Auth)
  | ({ kind: 'sentinel'; nodes: HostPort[]; master: string; db?: number; sentinelPassword?: string } & Auth)
  | ({ kind: 'cluster'; nodes: HostPort[] } & Auth);

const MULTI = /^(rediss?)[+-](sentinel|cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?(?:\?([^#]*))?$/i;

const bad = (url: string, why: string) => new StewardError('BAD_CONFIG', `REDIS_URL ${redact(url)}: ${why}`);

/** The URL with any password replaced by `***`, for logs and errors. */
export function redact(url: string): string {
  return url.replace(/^([a-z+-]+:\/\/)([^@/]*:)?([^@/]*)@/i, (_, scheme: string, user: string | undefined) => `${scheme}${user ?? ''}***@`);
}

function hosts(url: string, list: string, defaultPort: number): HostPort[] {
  return list.split(',').map((item) => {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(item.trim());
    const port = m?.[2] ? Number(m[2]) : defaultPort;
    if (!m || port < 1 || port > 65535) throw bad(url, `"${item}" is not host:port`);
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

function userinfo(info: string | undefined): { username?: string; password?: string } {
  if (!info) return {};
  const i = info.indexOf(':');
  const user = decodeURIComponent(i < 0 ? '' : info.slice(0, i));
  const password = decodeURIComponent(i < 0 ? info : info.slice(i + 1));
  return { ...(user ? { username: user } : {}), ...(password ? { password } : {}) };
}

export function parseRedisUrl(url: string): RedisTarget {
  const m = MULTI.exec(url.trim());
  if (!m) {
    if (!/^(rediss?:\/\/|\/)/i.test(url)) throw bad(url, 'expected redis://, rediss://, redis+sentinel:// or redis+cluster://');
    return { kind: 'single', url, tls: /^rediss:/i.test(url) };
  }
  const [, scheme, kind, info, list, path = '', query = ''] = m;
  const tls = scheme!.toLowerCase() === 'rediss';
  const auth = { ...userinfo(info), tls };
  if (kind!.toLowerCase() === 'cluster') {
    if (path.replace(/\/$/, '')) throw bad(url, 'a Redis Cluster has no database number or master name (drop the path)');
    return { kind: 'cluster', nodes: hosts(url, list!, 6379), ...auth };
  }
  const [master, dbText, ...rest] = path.split('/').filter(Boolean);
  if (!master) throw bad(url, 'name the master after the sentinels: redis+sentinel://host:26379/mymaster');
  if (rest.length || (dbText !== undefined && !/^\d+$/.test(dbText))) throw bad(url, 'the path is /master[/db]');
  const sentinelPassword = new URLSearchParams(query).get('sentinel_password') ?? undefined;
  return {
    kind: 'sentinel',
    nodes: hosts(url, list!, 26379),
    master: decodeURIComponent(master),
    ...(dbText !== undefined ? { db: Number(dbText) } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...auth,
  };
}

/** "Redis Cluster (2 seed nodes)" etc., for the log line that says Redis is in use. */
export function describeRedis(url: string): string {
  const t = parseRedisUrl(url);
  if (t.kind === 'single') return `Redis ${redact(url)}`;
  const list = t.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  return t.kind === 'sentinel' ? `Redis Sentinel ${list} master ${t.master}` : `Redis Cluster ${list}`;
}

// What every steward-registry command shares: argument parsing that names the bad flag,
// the logger, and shutdown on SIGINT/SIGTERM.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DEFAULTS, readEnv } from '../../config/index.js';
import { StewardError } from '../../errors/index.js';
import { PeerClient } from '../../peer/index.js';
import { parseWatch } from '../steward/args.js';
import type { KeyAlg } from '../../pki/index.js';

export interface RegistryCommand {
  help: string;
  command(args: string[]): Promise<void>;
}

export const usage = (why: string) => new StewardError('USAGE', why);

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parses flags strictly; `help` is true when -h/--help was given. */
export function parse(args: string[], options: Options): Record<string, any> {
  parseWatch.seen?.([...Object.keys(options ?? {}), 'help']);
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Record<string, any>;
  } catch (err) {
    throw usage((err as Error).message);
  }
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory', ENOSPC: 'no space left on device', EEXIST: 'exists and is not a directory',
};

/** Makes the data directory if needed and checks it is writable, so the operator hears
 *  "cannot write data directory X: EACCES", not a failure further on. Returns `dir`. */
export function writableDataDir(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new StewardError('BAD_CONFIG', `cannot write data directory ${resolve(dir)}: ${code}${FS_REASONS[code] ? ` (${FS_REASONS[code]})` : ''}`);
  }
  return dir;
}

export function portFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const port = Number(v);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port must be 0-65535, got ${v}`);
  return port;
}

export function logger() {
  return pino({ level: readEnv().logLevel, base: undefined });
}

/** The request lines' destination: stdout through pino's asynchronous (batching) writer. */
export const requestDestination = () => pino.destination({ dest: 1, sync: false });

/**
 * Where the node's one line per request goes (at info; LOG_LEVEL=warn turns it off):
 * stdout like the rest, but through an asynchronous destination that writes in batches,
 * so answering a request never waits on a write. pino flushes it on exit.
 */
export function requestLogger() {
  const level = readEnv().logLevel;
  if (!pino.levels.values[level] || pino.levels.values[level]! > pino.levels.values.info!) return pino({ level: 'silent' });
  return pino({ level, base: undefined }, requestDestination());
}

export function onShutdown(close: () => Promise<void>) {
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function algFlag(v: string | undefined): KeyAlg {
  if (v === undefined || v === 'rsa4096') return 'rsa4096';
  if (v === 'p256') return 'p256';
  throw usage(`--alg must be rsa4096 or p256, got ${v}`);
}

/** A registry URL given on the command line: a bare host name means https://host. */
export function urlFlag(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw usage(`--${name} is not a URL: ${v}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage(`--${name} must be http(s): ${v}`);
  return u.origin;
}

/** "24h", "90m", "30s", "7d" or plain seconds → seconds. */
export function durationFlag(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const m = /^(\d+)\s*([smhd]?)$/.exec(v.trim());
  if (!m) throw usage(`--${name} must be a duration such as 30s, 90m, 24h or 7d, got ${v}`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

/** The outbound client a command uses to reach a registry the operator named (loopback allowed for it). */
export function peerFor(url: string): PeerClient {
  return new PeerClient({ timeoutMs: DEFAULTS.peer.timeoutMs * 5, maxBodyBytes: DEFAULTS.peer.maxBodyBytes, trustedHosts: [new URL(url).hostname] });
}

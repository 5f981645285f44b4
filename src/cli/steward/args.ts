// Argument handling shared by every command: strict parsing (an unknown flag is a usage
// error, not something silently ignored), the registry URL and the timeout.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StewardError } from '../../errors/index.js';
import { readEnv } from '../../config/index.js';
import { DEFAULT_TIMEOUT_MS } from './http.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** A usage error: exit code 2, with a pointer to the command's help. */
export function usage(detail: string, command?: string): StewardError {
  const hint = command ? `; see 'steward ${command} --help'` : `; see 'steward --help'`;
  return new StewardError('BAD_REQUEST', `${detail}${hint}`, { usage: true });
}

export const COMMON_NET: Options = {
  registry: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Told the option names of every parse (the README reference test reads what each command accepts). */
export const parseWatch: { seen?: (options: string[]) => void } = {};

export function parse(command: string, argv: string[], options: Options): Parsed {
  parseWatch.seen?.(Object.keys(options));
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    // node:util reports unknown flags, missing values and the like with ERR_PARSE_ARGS_*.
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw usage(msg.replace(/\. To specify a positional argument.*$/, ''), command);
  }
}

/** Exactly `n` positional arguments, each named for the message when missing. */
export function positionals(command: string, got: string[], names: string[]): string[] {
  if (got.length < names.length) throw usage(`missing argument <${names[got.length]}>`, command);
  if (got.length > names.length) throw usage(`unexpected argument ${JSON.stringify(got[names.length])}`, command);
  return got;
}

/** --registry, else STEWARD_REGISTRY; there is no silent default, so a typo'd env is loud. */
export function registryUrl(command: string, flag: unknown): string {
  const raw = typeof flag === 'string' && flag ? flag : readEnv().registry;
  if (!raw) throw usage('no registry given: pass --registry URL or set STEWARD_REGISTRY', command);
  return checkUrl(command, raw, '--registry');
}

export function checkUrl(command: string, raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usage(`${what} ${JSON.stringify(raw)} is not a URL (expected http://host:port)`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`${what} ${JSON.stringify(raw)} must be an http:// or https:// URL`, command);
  }
  return url.href.replace(/\/+$/, '');
}

export function timeoutMs(command: string, flag: unknown): number {
  if (flag === undefined) return DEFAULT_TIMEOUT_MS;
  return positiveInt(command, '--timeout', flag, 600_000);
}

export function positiveInt(command: string, what: string, flag: unknown, max: number): number {
  const s = String(flag);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > max) {
    throw usage(`${what} must be a whole number from 1 to ${max}, got ${JSON.stringify(s)}`, command);
  }
  return Number(s);
}

export function oneOf<T extends string>(command: string, what: string, flag: unknown, allowed: readonly T[]): T | undefined {
  if (flag === undefined) return undefined;
  if (!allowed.includes(flag as T)) {
    throw usage(`${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(flag)}`, command);
  }
  return flag as T;
}

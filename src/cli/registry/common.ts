// What every steward-registry command shares: argument parsing that names the bad flag,
// the logger, and shutdown on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { readEnv } from '../../config/index.js';
import { StewardError } from '../../errors/index.js';

export interface RegistryCommand {
  help: string;
  command(args: string[]): Promise<void>;
}

export const usage = (why: string) => new StewardError('USAGE', why);

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Parses flags strictly; `help` is true when -h/--help was given. */
export function parse(args: string[], options: Options): Record<string, any> {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Record<string, any>;
  } catch (err) {
    throw usage((err as Error).message);
  }
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

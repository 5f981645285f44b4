// What the code accepts, read from the code itself: every environment variable
// src/config reads, and every option each command's parser accepts (each command is run
// with --help, and the parser reports its option table).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWatch } from '../../src/cli/steward/args.js';

const ROOT = new URL('../..', import.meta.url).pathname;

export function envVars(): string[] {
  const src = readFileSync(join(ROOT, 'src/config/index.ts'), 'utf8');
  return [...new Set([...src.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!))].sort();
}

async function captured(run: () => Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  parseWatch.seen = (names) => names.forEach((n) => seen.add(n));
  const log = console.log;
  console.log = () => {};
  try {
    await run();
  } finally {
    console.log = log;
    parseWatch.seen = undefined;
  }
  return [...seen].sort();
}

interface CommandModule {
  help: string;
  command(argv: string[], io?: unknown): Promise<unknown>;
}

/** "steward resolve" → its options, for every module under src/cli/<program>/ with a command and a help. */
export async function commandOptions(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const silent = { out: () => {}, err: () => {} };
  for (const [program, dir] of [['steward', 'src/cli/steward'], ['steward-registry', 'src/cli/registry']] as const) {
    for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts')).sort()) {
      if (file === 'main.ts') continue;
      const mod = (await import(join(ROOT, dir, file))) as Partial<CommandModule>;
      if (typeof mod.command !== 'function' || typeof mod.help !== 'string') continue;
      const name = file.replace(/\.ts$/, '');
      const argv = name === 'federation' ? ['up', '--help'] : ['--help'];
      const label = `${program} ${name === 'federation' ? 'federation up' : name}`;
      out.set(label, await captured(() => mod.command!(argv, silent)));
    }
  }
  return out;
}

// steward keygen: a publisher key pair in one file. The signing and the file format are
// src/records/keys.ts's; this only checks the arguments and reports the fingerprint,
// which is what a zone's publish policy and every later version are pinned to.
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { StewardError } from '../../errors/index.js';
import { generatePublisherKey, writeKeyFile } from '../../records/keys.js';
import { oneOf, parse, positionals, usage } from './args.js';
import { clean, type Io } from './output.js';

export const help = `Usage: steward keygen --out <file> [options]

Generates a publisher key pair and writes it to <file> (private: keep it safe).
Prints the key's fingerprint (RFC 7638 SHA-256 thumbprint); a zone that pins its
publishers lists this fingerprint, and later versions of an agent must be signed
with the same key.

Options:
  --out FILE       where to write the key (required; an existing file is kept)
  --alg ALG        ES256 | EdDSA | RS256 (default: ES256)
  --force          overwrite an existing file
  --json           print {file, alg, fingerprint, publicJwk} as JSON
  -h, --help       this help

Exit codes: 0 written, 2 usage error or the file cannot be written.`;

const OPTIONS = {
  out: { type: 'string' },
  alg: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALGS = ['ES256', 'EdDSA', 'RS256'] as const;

export async function command(argv: string[], io: Io): Promise<number> {
  const { values, positionals: pos } = parse('keygen', argv, OPTIONS);
  if (values.help) {
    io.out(help);
    return 0;
  }
  positionals('keygen', pos, []);
  if (typeof values.out !== 'string' || !values.out) throw usage('--out <file> is required', 'keygen');
  const alg = oneOf('keygen', '--alg', values.alg, ALGS) ?? 'ES256';
  const file = resolvePath(values.out);
  if (existsSync(file) && !values.force) {
    throw usage(`${file} already exists; refusing to overwrite a key (pass --force to replace it)`, 'keygen');
  }
  const key = await generatePublisherKey(alg);
  try {
    await writeKeyFile(file, key);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
    throw new StewardError('BAD_REQUEST', `cannot write key file ${file}: ${why}`, { shownTitle: 'Cannot write key' });
  }
  if (values.json) {
    io.out(JSON.stringify({ file, alg: key.alg, fingerprint: key.fingerprint, publicJwk: key.publicJwk }, null, 2));
  } else {
    io.out(`Generating publisher key pair (${key.alg})...`);
    io.out(`✅ Key file: ${clean(file)}`);
    io.out(`✅ Fingerprint: ${clean(key.fingerprint)}`);
  }
  return 0;
}

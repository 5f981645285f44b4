// Reading what the user points the CLI at: the key file and the manifest. Anything wrong
// with them is the user's input, so it is reported as bad input (exit 2) with the path
// and the reason, never as a crash or an upstream failure.
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { DEFAULTS } from '../../config/index.js';
import { StewardError } from '../../errors/index.js';
import { readKeyFile } from '../../records/keys.js';

export type PublisherKey = Awaited<ReturnType<typeof readKeyFile>>;

export async function loadKey(path: string): Promise<PublisherKey> {
  const file = resolvePath(path);
  try {
    return await readKeyFile(file);
  } catch (err) {
    // keys.ts already names the file and the reason; keep its words, and make sure a bad
    // key file is always bad input (exit 2) whatever code it carries.
    const said = err instanceof StewardError ? err.message : undefined;
    const detail = said ? (said.includes(file) ? said : `${file}: ${said}`) : `cannot use key file ${file}: ${reason(err)}`;
    const code = err instanceof StewardError ? err.code : 'BAD_REQUEST';
    throw new StewardError(code, detail, { shownTitle: 'Bad key file' }, 400);
  }
}

/** The manifest as a JSON object; the registry's schema check does the rest. */
export async function loadManifest(path: string): Promise<Record<string, unknown>> {
  const file = resolvePath(path);
  const bad = (why: string) => new StewardError('BAD_REQUEST', `${file}: ${why}`, { shownTitle: 'Bad manifest' });
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw bad('not a regular file');
    // The registry refuses bodies over 64 KiB; the signed form is larger still, so say it here.
    if (info.size > DEFAULTS.maxBodyBytes) throw bad(`${info.size} bytes; a manifest must be under ${DEFAULTS.maxBodyBytes} bytes`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof StewardError) throw err;
    throw bad(`cannot read it: ${reason(err)}`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw bad(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw bad('a manifest must be a JSON object');
  return manifest as Record<string, unknown>;
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

// steward init <name>: writes a manifest template a new publisher can edit and publish
// as it is. Without --namespace it leaves "namespace" out, and `steward publish` fills in
// the registry's own namespace before signing.
import { writeFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { StewardError } from '../../errors/index.js';
import { labelProblem } from '../../names/index.js';
import { validateManifest } from '../../records/schema.js';
import { parse, positionals, usage } from './args.js';
import type { Io } from './output.js';

export const help = `Usage: steward init <name> [--namespace NS] [--out FILE] [--force]

Writes a manifest template for the agent <name> (a lowercase label: a-z, 0-9, -) to
<name>.json, ready to edit and publish:

  steward keygen --out publisher.json
  steward init my-agent
  steward publish my-agent.json --key publisher.json --registry http://127.0.0.1:8080

Fields: name, version (semver, raise it for every publish), description, capabilities
(what the agent can do, searched by 'steward discover'), endpoints (url, protocol, region),
tags, visibility ("public", or "internal" to keep it inside the zone) and, optionally,
namespace (the zone, e.g. vibe-agency.com; left out, publish uses the registry's).

Options:
  --namespace NS   write the namespace into the manifest
  --out FILE       where to write it (default <name>.json; "-" prints it)
  --force          overwrite an existing file
  -h, --help       this help

Exit codes: 0 written, 2 usage error (bad name, file exists).`;

const OPTIONS = { namespace: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function template(name: string, namespace?: string): Record<string, unknown> {
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    version: '0.1.0',
    description: `What ${name} does, in a sentence or two.`,
    capabilities: ['example_capability'],
    endpoints: [{ url: `https://agents.example.com/${name}`, protocol: 'a2a', region: 'eu-west' }],
    tags: ['example'],
    visibility: 'public',
  };
}

export async function command(argv: string[], io: Io): Promise<number> {
  const { values, positionals: pos } = parse('init', argv, OPTIONS);
  if (values.help) {
    io.out(help);
    return 0;
  }
  const [name] = positionals('init', pos, ['name']);
  const problem = labelProblem(name!) ?? (/^[a-z0-9-]+$/.test(name!) ? undefined : 'must be a lowercase label (a-z, 0-9, -)');
  if (problem) throw usage(`agent name ${JSON.stringify(name)}: ${problem}`, 'init');
  const namespace = typeof values.namespace === 'string' ? values.namespace : undefined;
  const manifest = template(name!, namespace);
  // The template is checked with the registry's own schema (a namespace stands in when none is given).
  try {
    validateManifest({ namespace: 'example.com', ...manifest });
  } catch (err) {
    throw usage(err instanceof StewardError ? err.message : String(err), 'init');
  }
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const out = typeof values.out === 'string' ? values.out : `${name}.json`;
  if (out === '-') {
    io.out(text.trimEnd());
    return 0;
  }
  const file = resolvePath(out);
  try {
    await writeFile(file, text, { flag: values.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw usage(`${file} exists; pass --force to overwrite it`, 'init');
    throw new StewardError('BAD_REQUEST', `cannot write ${file}: ${code ?? (err as Error).message}`, { shownTitle: 'Cannot write manifest' });
  }
  io.out(`✅ Wrote ${file}: edit it, then 'steward publish ${out} --key <your key file>'`);
  return 0;
}

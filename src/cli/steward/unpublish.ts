// steward unpublish: a signed tombstone {"name","namespace","deleted":true,"version"} by
// the same key that published. The version is the one being withdrawn; by default the
// current one, read from the registry first, so the user need not look it up; the
// namespace is the registry zone's (the tombstone is valid in that zone only).
import { StewardError } from '../../errors/index.js';
import { normalizeName, qualify } from '../../names/index.js';
import { signCompact } from '../../records/keys.js';
import type { Tombstone } from '../../records/types.js';
import { COMMON_NET, parse, positionals, registryUrl, timeoutMs, usage } from './args.js';
import { RegistryClient, zoneNamespace } from './http.js';
import { loadKey } from './keyfile.js';
import { clean, str, type Io } from './output.js';

export const help = `Usage: steward unpublish <name> --key <private-key-file> [options]

Withdraws an agent from the registry's zone. The request is signed with the key that
published it. <name> is the agent's name in that zone, or its fully qualified ID.

Options:
  --key FILE       the publisher key file (required)
  --version V      the version to withdraw (default: the current one)
  --registry URL   registry of the agent's zone (default: $STEWARD_REGISTRY)
  --json           print the registry's JSON answer
  --timeout MS     give up on the registry after MS milliseconds (default 5000)
  -h, --help       this help

Exit codes: 0 withdrawn, 1 no such agent or refused (other key, other version),
            2 usage error or bad key, 3 registry unreachable or failing.`;

const OPTIONS = { ...COMMON_NET, key: { type: 'string' }, version: { type: 'string' } } as const;

export async function command(argv: string[], io: Io): Promise<number> {
  const { values, positionals: pos } = parse('unpublish', argv, OPTIONS);
  if (values.help) {
    io.out(help);
    return 0;
  }
  const [input] = positionals('unpublish', pos, ['name']);
  if (typeof values.key !== 'string' || !values.key) throw usage('--key <private-key-file> is required', 'unpublish');
  if (values.version !== undefined && (typeof values.version !== 'string' || !values.version.trim())) {
    throw usage('--version needs a value', 'unpublish');
  }
  const name = normalizeName(input);
  // An agent name is one label; an FQID starts with it (SPEC §1).
  const label = name.split('.')[0];
  const base = registryUrl('unpublish', values.registry);
  const timeout = timeoutMs('unpublish', values.timeout);
  const key = await loadKey(values.key);

  const client = new RegistryClient(timeout);
  try {
    const agentUrl = `${base}/v1/agents/${encodeURIComponent(label)}`;
    // Read the record even when --version is given: it proves the agent is in this
    // registry's zone before anything is signed for it.
    const current = (await client.callOk('GET', agentUrl)).json as Record<string, unknown>;
    const id = str(current?.id);
    if (name.includes('.') && id && !sameAgent(name, current)) {
      throw new StewardError('NOT_AUTHORITATIVE', `${name} is not in this registry's zone; it holds ${id}`, { shownTitle: 'Wrong registry' });
    }
    const version = (values.version as string | undefined)?.trim() ?? str(current?.version);
    if (!version) throw new StewardError('BAD_REQUEST', `the registry's record for ${label} has no version; pass --version`);
    const namespace = await zoneNamespace(client, base);
    const tombstone: Tombstone = { name: label, namespace, deleted: true, version };
    const jws = await signCompact(tombstone, key);
    const res = await client.callOk('DELETE', agentUrl, { body: jws, contentType: 'application/jose' });
    if (values.json) io.out(JSON.stringify(res.json ?? {}, null, 2));
    else io.out(`✅ Agent unpublished: ${clean(str((res.json as Record<string, unknown>)?.deleted) ?? id ?? label)} ${clean(version)}`);
    return 0;
  } finally {
    await client.close();
  }
}

/** A dotted input may omit the root domain (SPEC §1): qualify it the way the registry would. */
function sameAgent(input: string, record: Record<string, unknown>): boolean {
  const id = str(record.id), zone = str(record.zone), ns = str(record.namespace);
  if (!id || !zone || ns === undefined) return true; // nothing to compare against; the server decides
  // zone = <namespace>.<root domain>
  const rootDomain = ns ? zone.slice(ns.length + 1) : zone;
  try {
    return qualify(input, { rootDomain, localZone: zone }) === id;
  } catch {
    return false;
  }
}

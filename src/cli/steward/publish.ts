// steward publish: sign the manifest locally (the private key never leaves this machine)
// and POST the compact JWS. The registry checks signature, schema, namespace, version
// and key. A manifest that leaves `namespace` out is signed for the registry's own zone.
import { signCompact } from '../../records/keys.js';
import { COMMON_NET, parse, positionals, registryUrl, timeoutMs, usage } from './args.js';
import { RegistryClient, zoneNamespace } from './http.js';
import { loadKey, loadManifest } from './keyfile.js';
import { clean, fields, fmtTrust, str, type Io } from './output.js';

export const help = `Usage: steward publish <manifest.json> --key <private-key-file> [options]

Signs the manifest with your publisher key (see 'steward keygen') and publishes it to
the registry's zone. The signature binds the manifest to its "namespace"; when the file
leaves it out, the registry's own namespace (from its /v1/zone) is filled in before
signing, and a registry of another namespace refuses it. A later version of the same agent must be signed with the same
key and carry a greater version.

Options:
  --key FILE       the publisher key file (required)
  --registry URL   registry to publish to (default: $STEWARD_REGISTRY)
  --json           print the record the registry stored
  --timeout MS     give up on the registry after MS milliseconds (default 5000)
  -h, --help       this help

Exit codes: 0 published, 1 refused (version not rising, other key, confusable name...),
            2 usage error or bad manifest/key, 3 registry unreachable or failing.`;

const OPTIONS = { ...COMMON_NET, key: { type: 'string' } } as const;

export async function command(argv: string[], io: Io): Promise<number> {
  const { values, positionals: pos } = parse('publish', argv, OPTIONS);
  if (values.help) {
    io.out(help);
    return 0;
  }
  const [manifestPath] = positionals('publish', pos, ['manifest.json']);
  if (typeof values.key !== 'string' || !values.key) throw usage('--key <private-key-file> is required', 'publish');
  const base = registryUrl('publish', values.registry);
  const timeout = timeoutMs('publish', values.timeout);
  // Manifest first: with two bad inputs, the user hears about the one they named first.
  let manifest = await loadManifest(manifestPath);
  const key = await loadKey(values.key);

  const client = new RegistryClient(timeout);
  try {
    if (manifest.namespace === undefined) {
      const { name, ...rest } = manifest;
      manifest = { name, namespace: await zoneNamespace(client, base), ...rest };
    }
    const jws = await signCompact(manifest, key);
    const res = await client.callOk('POST', `${base}/v1/agents`, { body: jws, contentType: 'application/jose' });
    const record = (res.json ?? {}) as Record<string, unknown>;
    if (values.json) {
      io.out(JSON.stringify(record, null, 2));
      return 0;
    }
    io.out(`✅ Agent published: ${clean(record.id ?? manifest.name)} ${clean(record.version ?? manifest.version)}`);
    io.out(fields([
      ['zone', str(record.zone) && clean(record.zone)],
      ['visibility', str(record.visibility) && clean(record.visibility)],
      ['trust', record.trust === undefined ? undefined : fmtTrust(record.trust)],
      ['fingerprint', str(record.fingerprint) && clean(record.fingerprint)],
      ['digest', str(record.digest) && clean(record.digest)],
    ]).join('\n'));
    return 0;
  } finally {
    await client.close();
  }
}

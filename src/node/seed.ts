// Seed agents from the zone file, signed at start with a demo publisher key. The key is
// kept in the data dir (never in git) so a restarted node keeps publishing as the same
// publisher; agents already in the store are left as they are. A seed manifest that
// leaves `namespace` out is signed for this zone's namespace, as `steward publish` does.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { StewardError } from '../errors/index.js';
import { generatePublisherKey, readKeyFile, signCompact, writeKeyFile } from '../records/keys.js';
import type { ZoneStore } from '../store/zone-store.js';
import type { ZoneConfig } from '../zonefile/index.js';
import type { Publisher } from './publisher.js';

async function demoKey(dataDir: string | undefined) {
  if (!dataDir) return generatePublisherKey('ES256');
  const file = join(dataDir, 'demo-publisher-key.json');
  if (existsSync(file)) return readKeyFile(file);
  mkdirSync(dataDir, { recursive: true });
  const key = await generatePublisherKey('ES256');
  await writeKeyFile(file, key);
  return key;
}

export async function publishSeedAgents(config: ZoneConfig, store: ZoneStore, publisher: Publisher, dataDir: string | undefined, log: Logger) {
  if (config.agents.length === 0) return;
  const key = await demoKey(dataDir);
  publisher.vouchFor(key.fingerprint);
  let published = 0;
  for (const [i, manifest] of config.agents.entries()) {
    const name = (manifest as { name?: unknown }).name;
    if (typeof name === 'string' && store.get(name.toLowerCase())) continue;
    try {
      await publisher.publish(await signCompact(withNamespace(manifest, config.namespace), key));
      published++;
    } catch (err) {
      const detail = err instanceof StewardError ? err.message : String(err);
      throw new StewardError('BAD_CONFIG', `${config.source ?? config.zone}: field /agents/${i} (${String(name)}): ${detail}`);
    }
  }
  if (published) log.info({ zone: config.zone, published }, 'seed agents published');
}

function withNamespace(manifest: unknown, namespace: string): object {
  if (!manifest || typeof manifest !== 'object' || 'namespace' in manifest) return manifest as object;
  const { name, ...rest } = manifest as Record<string, unknown>;
  return { name, namespace, ...rest };
}

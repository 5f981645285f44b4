// steward-registry federation up: every zone file a node, on loopback (the demo).
import { dirname, join, resolve } from 'node:path';
import { DEFAULTS, readEnv } from '../../config/index.js';
import { startFederation } from '../../node/federation.js';
import { loadZoneDir } from '../../zonefile/index.js';
import { logger, onShutdown, parse, requestLogger, usage } from './common.js';

export const help = `usage: steward-registry federation up [options]

Starts one node per zone file in a directory, on loopback: the demo federation.

  --zones DIR        the zone files (default zones/)
  --data-dir DIR     nodes keep their data in DIR/<zone> (default $STEWARD_DATA_DIR, else ./data)
  --memory           keep data in memory only
  --redis URL        share the resolver cache over Redis (default $REDIS_URL)
  --ephemeral-ports  listen on free ports instead of the zone files' ports
  --certs-dir DIR    the federation's certificates, made on first start and reused
                     (default $STEWARD_CERTS_DIR, else certs/ beside the zones folder)

Exit codes: 0 ok, 2 usage or configuration error, 3 could not listen.`;

export async function command(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') return console.log(help);
  if (sub !== 'up') throw usage(`unknown federation command ${JSON.stringify(sub ?? '')}; try "federation up"`);
  const v = parse(rest, {
    zones: { type: 'string' }, 'data-dir': { type: 'string' }, redis: { type: 'string' },
    memory: { type: 'boolean' }, 'ephemeral-ports': { type: 'boolean' }, 'certs-dir': { type: 'string' },
  });
  if (v.help) return console.log(help);
  const env = readEnv();
  const zonesDir = v.zones ?? 'zones';
  const configs = loadZoneDir(zonesDir);
  const fed = await startFederation(configs, {
    dataDir: v.memory ? undefined : (v['data-dir'] ?? env.dataDir ?? 'data'),
    redisUrl: v.redis ?? env.redisUrl,
    ephemeralPorts: !!v['ephemeral-ports'],
    log: logger(),
    requestLog: requestLogger(),
    certsDir: v['certs-dir'] ?? env.certsDir ?? join(dirname(resolve(zonesDir)), DEFAULTS.identity.demoCertsDir),
  });
  console.log(`Steward federation up: ${fed.nodes.length} registries on loopback`);
  for (const n of fed.nodes) console.log(`  ${n.ctx.config.zone.padEnd(40)} ${n.url}`);
  const leaf = fed.nodes.find((n) => n.ctx.config.zone.startsWith('vibe-agency.com')) ?? fed.nodes[0]!;
  console.log(`\nTry:  STEWARD_REGISTRY=${leaf.url} npx steward discover orchestrate_sdlc`);
  onShutdown(() => fed.close());
}

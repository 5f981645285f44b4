// steward-registry federation up: every zone file a node, on loopback (the demo).
import { dirname, join, resolve } from 'node:path';
import { DEFAULTS, readEnv } from '../../config/index.js';
import { startFederation } from '../../node/federation.js';
import { loadZoneDir, type ZoneConfig } from '../../zonefile/index.js';
import { heldLogger, zoneTree } from './banner.js';
import { onShutdown, parse, requestDestination, usage, writableDataDir } from './common.js';

export const help = `usage: steward-registry federation up [options]

Starts one node per zone file in a directory, on loopback: the demo federation. Each
node listens on its zone file's listen.host and listen.port (the demo's are 127.0.0.1
and 8080-8089); there is no --zone, --port or --host here: to run one zone on your own
address use 'steward-registry serve --zone FILE --port N --host H'.

  --zones DIR        the zone files (default zones/)
  --data-dir DIR     nodes keep their data in DIR/<zone> (default $STEWARD_DATA_DIR, else ./data)
  --memory           keep data in memory only
  --redis URL        Redis shared by the nodes (resolver cache, nonces, publish counters;
                     default $REDIS_URL): redis://, redis+sentinel://, redis+cluster://
  --ephemeral-ports  listen on free ports instead of the zone files' ports (URLs in the
                     zone files are rewritten to match)
  --certs-dir DIR    the federation's certificates, made on first start and reused
                     (default $STEWARD_CERTS_DIR, else certs/ beside the zones folder)

Environment: REDIS_URL, STEWARD_DATA_DIR, STEWARD_CERTS_DIR, LOG_LEVEL.
Exit codes: 0 ok, 2 usage or configuration error, 3 could not listen.`;

export async function command(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') return console.log(help);
  if (sub !== 'up') throw usage(`unknown federation command ${JSON.stringify(sub ?? '')}; try "federation up"`);
  const v = parse(rest, {
    zones: { type: 'string' }, 'data-dir': { type: 'string' }, redis: { type: 'string' },
    memory: { type: 'boolean' }, 'ephemeral-ports': { type: 'boolean' }, 'certs-dir': { type: 'string' },
  });
  if (v.help) return console.log(help);
  const env = readEnv();
  const zonesDir = v.zones ?? 'zones';
  const configs = loadZoneDir(zonesDir);
  const held = heldLogger();
  // (request lines too: nodes ask each other things while starting; held like the rest)
  const requests = heldLogger(requestDestination());
  const fed = await startFederation(configs, {
    dataDir: writableDataDir(v.memory ? undefined : (v['data-dir'] ?? env.dataDir ?? 'data')),
    redisUrl: v.redis ?? env.redisUrl,
    ephemeralPorts: !!v['ephemeral-ports'],
    log: held.log,
    requestLog: requests.log,
    certsDir: v['certs-dir'] ?? env.certsDir ?? join(dirname(resolve(zonesDir)), DEFAULTS.identity.demoCertsDir),
  }).catch((err) => {
    held.release(); // what the nodes said before failing helps explain it
    requests.release();
    throw err;
  });
  console.log(`Steward federation up: ${fed.nodes.length} registries on loopback`);
  for (const line of zoneTree(primariesFirst(fed.nodes).map((n) => ({ zone: n.ctx.config.zone, parent: n.ctx.config.parent?.zone, url: n.url, note: noteOf(n, fed.nodes) })))) console.log(`  ${line}`);
  const leaf = fed.nodes.find((n) => n.ctx.config.zone.startsWith('vibe-agency.com')) ?? fed.nodes[0]!;
  console.log(`\nTry:  STEWARD_REGISTRY=${leaf.url} npx steward discover orchestrate_sdlc`);
  held.release(); // the nodes' start-up log lines, after the banner
  requests.release(); // and the requests they made of each other meanwhile
  onShutdown(() => fed.close());
}

/**
 * "(registered)" for zones joined through POST /v1/register; "(replica, <region>)" for a
 * zone's further nodes (the first one listed is the zone's own first replica).
 */
function noteOf(n: { url: string; ctx: { config: ZoneConfig } }, all: readonly { url: string; ctx: { config: ZoneConfig } }[]): string | undefined {
  const c = n.ctx.config;
  const same = all.filter((o) => o.ctx.config.zone === c.zone);
  if (same.length > 1 && n !== primaryOf(same)) return `(replica, ${c.region})`;
  return c.join === 'register' ? '(registered)' : undefined;
}

const primaryOf = <N extends { url: string; ctx: { config: ZoneConfig } }>(same: readonly N[]): N =>
  same.find((o) => o.ctx.config.replicas[0]?.url.replace(/\/$/, '') === o.url) ?? same[0]!;

/** The nodes with each zone's primary before its other replicas (zoneTree lists those under it). */
function primariesFirst<N extends { url: string; ctx: { config: ZoneConfig } }>(nodes: readonly N[]): N[] {
  const isPrimary = (n: N) => primaryOf(nodes.filter((o) => o.ctx.config.zone === n.ctx.config.zone)) === n;
  return [...nodes.filter(isPrimary), ...nodes.filter((n) => !isPrimary(n))];
}

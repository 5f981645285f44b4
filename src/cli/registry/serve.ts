// steward-registry serve: one node for one zone.
import { dirname, join, resolve } from 'node:path';
import { DEFAULTS, readEnv } from '../../config/index.js';
import { demoMaterial, identityDir, loadRegistered } from '../../identity/material.js';
import { startNode } from '../../node/index.js';
import { loadZoneFile } from '../../zonefile/index.js';
import { logger, onShutdown, parse, portFlag, usage } from './common.js';

export const help = `usage: steward-registry serve --zone <zone file> [options]

Runs one registry node for the zone described by a zone file (SPEC §7).

  --zone FILE      the zone file (e.g. zones/vibe-agency.com.json); required
  --port N         listen on port N instead of the zone file's listen.port (0 = any free port)
  --host H         listen on host H instead of the zone file's listen.host
  --data-dir DIR   where the node keeps its data (default $STEWARD_DATA_DIR, else ./data/<zone>)
  --memory         keep data in memory only (nothing written to disk)
  --redis URL      share the resolver cache over Redis (default $REDIS_URL)
  --accept-data-loss  open a store that lost acknowledged data (a damaged or missing log
                   line, segment or snapshot) with what is left; each loss is logged.
                   Without it such a store is refused (STORE_CORRUPT, naming the damage).
  --tls-cert FILE --tls-key FILE
                   mutual TLS: serve HTTPS only with this certificate (PEM, with its
                   issuers) and key, and require client certificates chaining to the
                   federation root (overrides the zone file's tls)
  --certs-dir DIR  the demo federation's certificates, found or made on first start
                   (default $STEWARD_CERTS_DIR, else certs/ beside the zone file's folder);
                   a registered identity in <data-dir>/identity/ is used instead when present

Prints "<zone>  <url>" once it listens. Exit codes: 0 ok, 2 usage or configuration
error, 3 could not listen.`;

export async function command(args: string[]) {
  const v = parse(args, {
    zone: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
    'data-dir': { type: 'string' }, redis: { type: 'string' }, memory: { type: 'boolean' },
    namespace: { type: 'string' }, parent: { type: 'string' }, 'certs-dir': { type: 'string' },
    'accept-data-loss': { type: 'boolean' },
    'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' },
  });
  if (v.help) return console.log(help);
  if (v.namespace || v.parent) {
    throw usage('--namespace/--parent bootstrapping needs registration with the parent, which this version does not do yet; write a zone file and use --zone');
  }
  if (!v.zone) throw usage('serve needs --zone <file>');
  const port = portFlag(v.port);
  const env = readEnv();
  const config = loadZoneFile(v.zone);
  // mutual TLS (SPEC §5): the flags win over the zone file's `tls`
  if (!!v['tls-cert'] !== !!v['tls-key']) throw usage('--tls-cert and --tls-key go together');
  if (v['tls-cert']) config.tls = { cert: resolve(v['tls-cert']), key: resolve(v['tls-key']!) };
  const dataDir = v.memory ? undefined : (v['data-dir'] ?? env.dataDir ?? `data/${config.zone}`);
  const certsDir = v['certs-dir'] ?? env.certsDir ?? join(dirname(dirname(resolve(v.zone))), DEFAULTS.identity.demoCertsDir);
  const identity = (dataDir && loadRegistered(identityDir(dataDir))) || (await demoMaterial(config.zone, config.rootDomain, certsDir));
  const node = await startNode({ config, port, host: v.host, log: logger(), dataDir, redisUrl: v.redis ?? env.redisUrl, identity, acceptDataLoss: !!v['accept-data-loss'] });
  console.log(`${config.zone}  ${node.url}`);
  onShutdown(() => node.close());
}

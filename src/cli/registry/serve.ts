// steward-registry serve: one node for one zone.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEFAULTS, readEnv } from '../../config/index.js';
import { demoMaterial, identityDir, loadRegistered } from '../../identity/material.js';
import { startNode } from '../../node/index.js';
import { loadZoneFile } from '../../zonefile/index.js';
import { algFlag, logger, onShutdown, parse, portFlag, requestLogger, urlFlag, usage, writableDataDir } from './common.js';
import { DEFAULT_PORT, savedZonePath, serveNamespace } from './bootstrap.js';

export const help = `usage: steward-registry serve --zone <zone file> [options]
       steward-registry serve --namespace N --parent URL [options]

Runs one registry node for the zone described by a zone file (SPEC §7), or bootstraps
a new registry: with --namespace and --parent, the first start makes a key pair,
registers N with the parent (SPEC §5) and serves the new zone; later starts reuse the
identity and the zone config kept in the data directory (<data-dir>/identity/,
<data-dir>/zone.json). The certificate is renewed in the background.

  --zone FILE      the zone file (e.g. zones/vibe-agency.com.json): the zone's name, parent,
                   delegations, replicas, policy and listen address; required
  --port N         listen on port N instead of the zone file's listen.port (0 = any free port)
  --host H         listen on host H instead of the zone file's listen.host
  --data-dir DIR   where the node keeps its data (default $STEWARD_DATA_DIR, else ./data/<zone>)
  --memory         keep data in memory only (nothing written to disk)
  --delay-ms N     hold every answer back N ms (0-10000; overrides the zone file's
                   delay_ms): regions simulated on one machine, e.g. 25, 150, 300
  --redis URL      Redis shared by the nodes of a site: resolver cache, nonces, publish
                   counters (default $REDIS_URL). redis://host:6379, rediss:// (TLS),
                   redis+sentinel://s1:26379,s2:26379/mymaster, redis+cluster://n1:7000,n2:7001
  --accept-data-loss  open a store that lost acknowledged data (a damaged or missing log
                   line, segment or snapshot) with what is left; each loss is logged.
                   Without it such a store is refused (STORE_CORRUPT, naming the damage).
  --tls-cert FILE --tls-key FILE
                   mutual TLS: serve HTTPS only with this certificate (PEM, with its
                   issuers) and key, and require client certificates chaining to the
                   federation root (overrides the zone file's tls)
  --pull-interval S  pull every child's sync log every S seconds (default the zone file's
                   policy.federation.pull_interval_seconds, else 21600 = 6 h)
  --anti-entropy-seconds N
                   how often the zone's replicas compare digests and pull what differs
                   (SPEC §6; overrides the zone file's anti_entropy_seconds; default 300)
  --certs-dir DIR  the demo federation's certificates, found or made on first start
                   (default $STEWARD_CERTS_DIR, else certs/ beside the zone file's folder);
                   a registered identity in <data-dir>/identity/ is used instead when present

Bootstrapping (--namespace):
  --namespace N    the namespace to run, one label below the parent's (e.g. acme-corp.com)
  --parent URL     the parent registry (a bare host name means https://); required on
                   the first start
  --port N         default ${DEFAULT_PORT} (0 = any free port); later starts reuse the first one's
  --host H         default 127.0.0.1
  --data-dir DIR   default $STEWARD_DATA_DIR, else ./data/<namespace>; --memory is refused
  --endpoint URL   where other registries reach this one, registered with the parent
                   (default: the listen URL)
  --region R       this registry's region (sent with the endpoint; default "local")
  --token T        a one-time register token (steward-registry invite on the parent)
  --alg ALG        the key made on first start: rsa4096 (default) or p256

Environment: REDIS_URL, STEWARD_DATA_DIR, STEWARD_CERTS_DIR, LOG_LEVEL (README "Operator's guide").
Prints "<zone>  <url>" once it listens. Exit codes: 0 ok, 2 usage or configuration
error, 3 could not listen.`;

export async function command(args: string[]) {
  const v = parse(args, {
    zone: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
    'data-dir': { type: 'string' }, redis: { type: 'string' }, memory: { type: 'boolean' },
    namespace: { type: 'string' }, parent: { type: 'string' }, 'certs-dir': { type: 'string' },
    'accept-data-loss': { type: 'boolean' }, endpoint: { type: 'string' }, region: { type: 'string' },
    token: { type: 'string' }, alg: { type: 'string' },
    'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'pull-interval': { type: 'string' }, 'anti-entropy-seconds': { type: 'string' },
    'delay-ms': { type: 'string' },
  });
  if (v.help) return console.log(help);
  const port = portFlag(v.port);
  const env = readEnv();
  if (v.namespace || v.parent) return serveBootstrapped(v, port, env);
  if (!v.zone) throw usage('serve needs --zone <file>, or --namespace N --parent URL');
  const config = loadZoneFile(v.zone);
  if (v['pull-interval'] !== undefined) {
    const s = Number(v['pull-interval']);
    if (!Number.isInteger(s) || s < 1 || s > 604_800) throw usage(`--pull-interval must be whole seconds from 1 to 604800, got ${v['pull-interval']}`);
    config.policy.federation.pullIntervalSeconds = s;
  }
  if (v['delay-ms'] !== undefined) config.delayMs = delayFlag(v['delay-ms']);
  // mutual TLS (SPEC §5): the flags win over the zone file's `tls`
  if (!!v['tls-cert'] !== !!v['tls-key']) throw usage('--tls-cert and --tls-key go together');
  if (v['tls-cert']) config.tls = { cert: resolve(v['tls-cert']), key: resolve(v['tls-key']!) };
  const ae = v['anti-entropy-seconds'];
  if (ae !== undefined) {
    if (!/^\d{1,5}$/.test(ae) || Number(ae) < 1 || Number(ae) > 86_400) throw usage(`--anti-entropy-seconds must be a whole number from 1 to 86400, got ${ae}`);
    config.antiEntropySeconds = Number(ae);
  }
  const dataDir = writableDataDir(v.memory ? undefined : (v['data-dir'] ?? env.dataDir ?? `data/${config.zone}`));
  const certsDir = v['certs-dir'] ?? env.certsDir ?? join(dirname(dirname(resolve(v.zone))), DEFAULTS.identity.demoCertsDir);
  const registered = dataDir ? loadRegistered(identityDir(dataDir)) : undefined;
  const identity = registered ?? (await demoMaterial(config.zone, config.rootDomain, certsDir));
  // (a registered identity is renewed in place; demo material is remade by ensureDemoPki)
  const renew = registered && dataDir ? { identityDir: identityDir(dataDir) } : {};
  const node = await startNode({ config, port, host: v.host, log: logger(), requestLog: requestLogger(), dataDir, redisUrl: v.redis ?? env.redisUrl, identity, acceptDataLoss: !!v['accept-data-loss'], ...renew });
  console.log(`${config.zone}  ${node.url}`);
  onShutdown(() => node.close());
}

function delayFlag(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 10_000) throw usage(`--delay-ms must be a whole number of milliseconds from 0 to 10000, got ${v}`);
  return Number(v);
}

async function serveBootstrapped(v: Record<string, any>, port: number | undefined, env: ReturnType<typeof readEnv>) {
  if (v.zone) throw usage('--zone and --namespace are two ways to serve; give one');
  if (!v.namespace) throw usage('--parent needs --namespace N (the namespace to register)');
  if (v.memory) throw usage('--namespace keeps its identity in the data directory; --memory cannot be used with it');
  const dataDir = writableDataDir(v['data-dir'] ?? env.dataDir ?? `data/${v.namespace}`)!;
  const parent = urlFlag('parent', v.parent);
  if (!parent && !existsSync(savedZonePath(dataDir))) throw usage('the first start of --namespace needs --parent URL');
  if (v.region !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(v.region)) throw usage(`--region must be lowercase letters, digits and dashes, got ${v.region}`);
  const node = await serveNamespace({
    namespace: v.namespace, parent: parent ?? '', dataDir, port, host: v.host, endpoint: urlFlag('endpoint', v.endpoint),
    region: v.region, token: v.token, alg: algFlag(v.alg), log: logger(),
    node: { redisUrl: v.redis ?? env.redisUrl, acceptDataLoss: !!v['accept-data-loss'], requestLog: requestLogger() },
  });
  console.log(`${node.ctx.config.zone}  ${node.url}`);
  onShutdown(() => node.close());
}

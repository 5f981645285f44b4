// steward-registry: run registry nodes.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { readEnv } from '../../config/index.js';
import { StewardError } from '../../errors/index.js';
import { startFederation } from '../../node/federation.js';
import { startNode } from '../../node/index.js';
import { loadZoneDir, loadZoneFile } from '../../zonefile/index.js';

const USAGE = `usage:
  steward-registry serve --zone zones/<file>.json [--port N] [--host H] [--data-dir DIR] [--redis URL] [--memory] [--accept-data-loss]
  steward-registry federation up [--zones DIR] [--data-dir DIR] [--redis URL] [--ephemeral-ports] [--memory]

  serve            run one node for the zone in a zone file
  federation up    run every zone file in DIR (default zones/) as a node on loopback: the demo

  --data-dir DIR   where nodes keep their data (default $STEWARD_DATA_DIR, else ./data)
  --memory         keep data in memory only (nothing written to disk)
  --redis URL      share the resolver cache over Redis (default $REDIS_URL)
  --accept-data-loss  open a store that lost acknowledged data (a damaged or missing log
                   line, segment or snapshot) with what is left; each loss is logged.
                   Without it such a store is refused (STORE_CORRUPT, naming the damage).
  --ephemeral-ports  listen on free ports instead of the zone files' ports
Exit codes: 0 ok, 2 usage or configuration error, 3 could not listen.`;

const usage = (why: string) => new StewardError('USAGE', why);

function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Record<string, any>;
  } catch (err) {
    throw usage((err as Error).message);
  }
}

function logger() {
  const env = readEnv();
  return pino({ level: env.logLevel, base: undefined });
}

function onShutdown(close: () => Promise<void>) {
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function serveCmd(args: string[]) {
  const v = parse(args, {
    zone: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
    'data-dir': { type: 'string' }, redis: { type: 'string' }, memory: { type: 'boolean' },
    namespace: { type: 'string' }, parent: { type: 'string' }, 'accept-data-loss': { type: 'boolean' },
  });
  if (v.help) return console.log(USAGE);
  if (v.namespace || v.parent) {
    throw usage('--namespace/--parent bootstrapping needs registration with the parent, which this version does not do yet; write a zone file and use --zone');
  }
  if (!v.zone) throw usage('serve needs --zone <file>');
  const port = v.port === undefined ? undefined : Number(v.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw usage(`--port must be 0-65535, got ${v.port}`);
  const env = readEnv();
  const config = loadZoneFile(v.zone);
  const node = await startNode({
    config, port, host: v.host, log: logger(),
    dataDir: v.memory ? undefined : (v['data-dir'] ?? env.dataDir ?? `data/${config.zone}`),
    redisUrl: v.redis ?? env.redisUrl,
    acceptDataLoss: !!v['accept-data-loss'],
  });
  console.log(`${config.zone}  ${node.url}`);
  onShutdown(() => node.close());
}

async function federationCmd(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') return console.log(USAGE);
  if (sub !== 'up') throw usage(`unknown federation command ${JSON.stringify(sub ?? '')}; try "federation up"`);
  const v = parse(rest, {
    zones: { type: 'string' }, 'data-dir': { type: 'string' }, redis: { type: 'string' },
    memory: { type: 'boolean' }, 'ephemeral-ports': { type: 'boolean' },
  });
  if (v.help) return console.log(USAGE);
  const env = readEnv();
  const configs = loadZoneDir(v.zones ?? 'zones');
  const fed = await startFederation(configs, {
    dataDir: v.memory ? undefined : (v['data-dir'] ?? env.dataDir ?? 'data'),
    redisUrl: v.redis ?? env.redisUrl,
    ephemeralPorts: !!v['ephemeral-ports'],
    log: logger(),
  });
  console.log(`Steward federation up: ${fed.nodes.length} registries on loopback`);
  for (const n of fed.nodes) console.log(`  ${n.ctx.config.zone.padEnd(40)} ${n.url}`);
  const leaf = fed.nodes.find((n) => n.ctx.config.zone.startsWith('vibe-agency.com')) ?? fed.nodes[0]!;
  console.log(`\nTry:  STEWARD_REGISTRY=${leaf.url} npx steward discover orchestrate_sdlc`);
  onShutdown(() => fed.close());
}

async function main(argv: string[]) {
  const [cmd, ...args] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') return console.log(USAGE);
    if (cmd === 'serve') return await serveCmd(args);
    if (cmd === 'federation') return await federationCmd(args);
    throw usage(`unknown command ${JSON.stringify(cmd)}`);
  } catch (err) {
    if (err instanceof StewardError && err.code === 'USAGE') {
      console.error(`error: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof StewardError && err.code === 'BAD_CONFIG') {
      console.error(`error: ${err.message}`);
      process.exit(2);
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(`error: cannot listen: ${(err as Error).message}`);
      process.exit(3);
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

main(process.argv.slice(2));

// steward-registry: run registry nodes. One module per command; this file dispatches and
// turns what a command throws into one stderr line and an exit code.
import { StewardError } from '../../errors/index.js';
import { type RegistryCommand, usage } from './common.js';

const COMMANDS: Record<string, () => Promise<RegistryCommand>> = {
  serve: () => import('./serve.js'),
  federation: () => import('./federation.js'),
};

const USAGE = `usage:
  steward-registry serve --zone zones/<file>.json [--port N] [--host H] [--data-dir DIR] [--redis URL] [--memory]
  steward-registry federation up [--zones DIR] [--data-dir DIR] [--redis URL] [--ephemeral-ports] [--memory]

  serve            run one node for the zone in a zone file
  federation up    run every zone file in DIR (default zones/) as a node on loopback: the demo

'steward-registry <command> --help' explains a command's options.
Exit codes: 0 ok, 2 usage or configuration error, 3 could not listen.`;

function exitFor(err: unknown): number {
  if (err instanceof StewardError && err.code === 'USAGE') {
    console.error(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (err instanceof StewardError && (err.code === 'BAD_CONFIG' || err.status < 500)) {
    console.error(`error: ${err.message}`);
    return 2;
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    console.error(`error: cannot listen: ${(err as Error).message}`);
    return 3;
  }
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  return err instanceof StewardError && (err.code === 'SERVFAIL' || err.code === 'UPSTREAM_TIMEOUT') ? 3 : 1;
}

async function main(argv: string[]) {
  const [cmd, ...args] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') return console.log(USAGE);
    const load = COMMANDS[cmd];
    if (!load) throw usage(`unknown command ${JSON.stringify(cmd)}`);
    await (await load()).command(args);
  } catch (err) {
    process.exit(exitFor(err));
  }
}

main(process.argv.slice(2));

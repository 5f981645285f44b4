// steward-registry: run registry nodes. One module per command; this file dispatches and
// turns what a command throws into one stderr line and an exit code.
import { StewardError } from '../../errors/index.js';
import { exitCodeFor } from '../steward/exit.js';
import { type RegistryCommand, usage } from './common.js';

const COMMANDS: Record<string, () => Promise<RegistryCommand>> = {
  serve: () => import('./serve.js'),
  federation: () => import('./federation.js'),
  keygen: () => import('./keygen.js'),
  register: () => import('./register.js'),
  invite: () => import('./invite.js'),
  revoke: () => import('./revoke.js'),
};

const USAGE = `usage:
  steward-registry serve --zone zones/<file>.json [--port N] [--host H] [--data-dir DIR] [--redis URL] [--memory]
  steward-registry serve --namespace N --parent URL [--port N] [--data-dir DIR] [--endpoint URL] [--token T]
  steward-registry keygen [--out DIR] [--alg rsa4096|p256]
  steward-registry register --parent URL --namespace N --pubkey FILE [--key FILE] [--endpoint URL] [--token T]
  steward-registry invite --namespace N [--ttl 24h] (--data-dir DIR | --zone-file FILE) [--registry URL]
  steward-registry revoke --zone CHILD (--data-dir DIR | --zone-file FILE) [--registry URL]
  steward-registry federation up [--zones DIR] [--data-dir DIR] [--redis URL] [--ephemeral-ports] [--memory]

  serve            run one node for the zone in a zone file, or bootstrap a new registry
                   (--namespace: keygen + register on first start, then serve)
  keygen           make the registry's key pair; prints its fingerprint
  register         register a namespace with the parent registry; saves certificate and chain
  invite           (parent operator) a one-time register token for a namespace
  revoke           (parent operator) revoke a child registry and withdraw its delegation
  federation up    run every zone file in DIR (default zones/) as a node on loopback: the demo

'steward-registry <command> --help' explains a command's options.
Exit codes: 0 ok, 1 refused by a registry, 2 usage or configuration error,
            3 could not listen, or a registry unreachable or failing.`;

function exitFor(err: unknown): number {
  if (err instanceof StewardError && err.code === 'USAGE') {
    console.error(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (err instanceof StewardError && err.extra.remote) {
    // Another registry's answer: its detail and code, and the exit code steward would give.
    console.error(`error: ${err.extra.remote} refused: ${err.message} (${err.code})`);
    return exitCodeFor(err);
  }
  if (err instanceof StewardError && (err.code === 'BAD_CONFIG' || err.status < 500)) {
    console.error(`error: ${err.message}`);
    return 2;
  }
  const { code, syscall, path } = err as NodeJS.ErrnoException;
  if (syscall === 'listen' || (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL')) {
    console.error(`error: cannot listen: ${(err as Error).message}`);
    return 3;
  }
  if (path && code) {
    // A file system error (the data directory, a certificate...): name the file, not the network.
    console.error(`error: cannot ${syscall === 'open' || syscall === 'mkdir' || syscall === 'rename' ? 'write' : `${syscall ?? 'use'}`} ${path}: ${code}`);
    return 2;
  }
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  return err instanceof StewardError && (err.code === 'SERVFAIL' || err.code === 'UPSTREAM_TIMEOUT' || err.code === 'LAME_ANSWER') ? 3 : 1;
}

async function main(argv: string[]) {
  const [cmd, ...args] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || (cmd === 'help' && !args[0])) return console.log(USAGE);
    if (cmd === 'help') {
      // `help serve`, `help federation`: the command's own help, as `<command> --help` prints it.
      const topic = COMMANDS[args[0]!];
      if (!topic) throw usage(`unknown command ${JSON.stringify(args[0])}`);
      return console.log((await topic()).help);
    }
    const load = COMMANDS[cmd];
    if (!load) throw usage(`unknown command ${JSON.stringify(cmd)}`);
    await (await load()).command(args);
  } catch (err) {
    process.exit(exitFor(err));
  }
}

main(process.argv.slice(2));

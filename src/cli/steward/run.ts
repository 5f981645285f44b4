// Dispatch: picks the command, runs it, and turns whatever it throws into one stderr line
// and an exit code. Kept apart from main.ts so it can be called without touching
// process state.
import { usage } from './args.js';
import { EXIT, report } from './exit.js';
import type { Io } from './output.js';

interface CommandModule {
  help: string;
  command(argv: string[], io: Io): Promise<number>;
}

// Loaded on demand: `steward resolve` should not pay for the signing stack at start-up.
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  resolve: () => import('./resolve.js'),
  discover: () => import('./discover.js'),
  publish: () => import('./publish.js'),
  unpublish: () => import('./unpublish.js'),
  keygen: () => import('./keygen.js'),
  init: () => import('./init.js'),
};

export const help = `Usage: steward <command> [options]

The Steward Registry client: find, resolve and publish AI agents.

Commands:
  resolve <name>           resolve an agent name to its record (--trace, --no-recurse)
  discover <query>         search by capability or keyword (--federated, --geo-aware)
  publish <manifest.json>  sign a manifest with your key and publish it (--key FILE)
  unpublish <name>         withdraw an agent, signed with the same key (--key FILE)
  keygen --out FILE        make a publisher key pair; prints its fingerprint
  init <name>              write a manifest template <name>.json to edit and publish

Every network command takes --registry URL (default: $STEWARD_REGISTRY),
--timeout MS (default 5000) and --json. 'steward <command> --help' says more.

Exit codes: 0 ok, 1 not found / no results / refused, 2 usage error or bad input,
            3 registry unreachable, timed out or failing.`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) {
      io.err(help);
      return EXIT.USAGE;
    }
    if (name === '--help' || name === '-h') {
      io.out(help);
      return EXIT.OK;
    }
    if (name === 'help') {
      const topic = rest[0];
      if (topic === undefined) io.out(help);
      else if (Object.hasOwn(COMMANDS, topic)) io.out((await COMMANDS[topic]()).help);
      else throw usage(`unknown command ${JSON.stringify(topic)}`);
      return EXIT.OK;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) {
      throw usage(name.startsWith('-') ? `expected a command before ${JSON.stringify(name)}` : `unknown command ${JSON.stringify(name)}`);
    }
    return await (await load()).command(rest, io);
  } catch (err) {
    return report(err, io);
  }
}

// Registry identity benchmarks, printed as one JSON object:
//   npx tsx scripts/bench-identity.ts [--only chain,register] [--ms 2000] [--n 60]
// Parts (one file each in scripts/bench-identity/, each `run(opts)` → a JSON section):
//   chain     chain verifications/s, warm cache and cold, P-256 and RSA-4096
//   register  CSR → certificate latency at the parent, per issuer and subject key type
//   verify    signed-request verifications/s through NodeIdentity.verify (warm chain cache,
//             httpsig, memory nonce store), P-256 and RSA-4096, per CPU- and wall-second
// Add a part by adding a file with `export async function run(opts)` and a line below.
import { cpus } from 'node:os';
import * as chain from './bench-identity/chain.js';
import * as register from './bench-identity/register.js';
import * as verify from './bench-identity/verify.js';
import { benchName, exitOnFailure, withDeadline } from './bench-common/phase.js';

type Part = { run: (opts: { ms?: number; n?: number }) => Promise<Record<string, unknown>> };
const PARTS: Record<string, Part> = { chain, register, verify };

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

async function main() {
  const only = opt('only')?.split(',') ?? Object.keys(PARTS);
  const unknown = only.filter((p) => !PARTS[p]);
  if (unknown.length) {
    console.error(`bench-identity: unknown part(s) ${unknown.join(', ')}; have ${Object.keys(PARTS).join(', ')}`);
    process.exit(2);
  }
  const opts = { ms: opt('ms') ? Number(opt('ms')) : undefined, n: opt('n') ? Number(opt('n')) : undefined };
  const result: Record<string, unknown> = { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length };
  // Every part has a deadline and a progress line on stderr; a stuck part ends the run naming it.
  for (const name of only) result[name] = await withDeadline(name, 15 * 60_000, () => PARTS[name]!.run(opts));
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

benchName('bench-identity');
main().catch(exitOnFailure);

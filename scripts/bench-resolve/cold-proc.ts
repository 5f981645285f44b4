// Cold walks against the federation as users run it (every other zone its own `serve`
// process): this process runs the ASKING node only (the same startNode() as `serve`, for
// the zone file given, on a port of its own) plus its HTTP client, and swaps in a fresh,
// empty resolver cache before every timed query (cold.ts). Everything the walk asks runs
// in other processes. Prints one JSON line.
//   node --import tsx cold-proc.ts '{"certsDir":…,"runs":40,"cases":[{"label":…,"zoneFile":…,"name":…,"path":[…]}]}'
import { pino } from 'pino';
import { demoMaterial } from '../../src/identity/material.js';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { loadZoneFile } from '../../src/zonefile/index.js';
import { coldRuns } from './cold.js';

interface Spec {
  certsDir: string;
  runs: number;
  /** Discarded walks before the timed ones (default 1). */
  warmup?: number;
  cases: { label: string; zoneFile: string; name: string; path: string[] }[];
}

async function main(spec: Spec) {
  const nodes: RunningNode[] = [];
  try {
    for (const c of spec.cases) {
      const config = loadZoneFile(c.zoneFile);
      const identity = await demoMaterial(config.zone, config.rootDomain, spec.certsDir);
      nodes.push(await startNode({ config, port: 0, log: pino({ level: 'warn' }), identity }));
    }
    const out = await coldRuns(spec.cases.map((c, i) => ({ label: c.label, node: nodes[i]!, name: c.name, path: c.path })), spec.runs, spec.warmup);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
  }
}

main(JSON.parse(process.argv[2] ?? '{}') as Spec).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);

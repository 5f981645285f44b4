// Entry point of `steward` (bin/steward.js runs its build in dist/, else this through tsx).
import { run } from './run.js';
import { stdio } from './output.js';

// exitCode rather than process.exit(): stdout is a pipe in scripts and must drain first.
process.exitCode = await run(process.argv.slice(2), stdio);

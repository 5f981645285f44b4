// The bare node:http yardstick in a process of its own (baseline.ts), for the "as users
// run it" figures: reads the exact answer bytes from a file, prints its URL, serves until
// killed.   node --import tsx baseline-proc.ts '{"bodyFile":…,"status":200,"contentType":…}'
import { readFileSync } from 'node:fs';
import { startBaseline } from './baseline.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { bodyFile: string; status: number; contentType: string };
const b = await startBaseline(readFileSync(spec.bodyFile), { status: spec.status, contentType: spec.contentType, keepAliveTimeout: 65_000 });
process.stdout.write(`${b.url}\n`);
process.on('SIGTERM', () => void b.close().then(() => process.exit(0)));

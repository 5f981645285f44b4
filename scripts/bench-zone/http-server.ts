// HTTP phase, server process: a real node (src/node) for the bench zone, durable, fsync on.
// Prints {"url"} once listening; exits when its stdin closes.
import { startNode } from '../../src/node/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { NAMESPACE, ROOT, ZONE } from './data.js';

export async function serveBenchZone(dataDir: string): Promise<void> {
  const config = parseZoneFile({
    zone: ZONE,
    parent: { zone: ROOT, url: 'http://127.0.0.1:9' },
    listen: { host: '127.0.0.1', port: 0 },
    region: 'eu-west',
  }, `bench zone ${NAMESPACE}`);
  const node = await startNode({ config, port: 0, dataDir, fsync: true, seed: false });
  process.stdout.write(`${JSON.stringify({ url: node.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void node.close().then(() => process.exit(0)));
}

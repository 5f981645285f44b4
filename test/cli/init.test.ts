// A new publisher's first steps: `steward init` writes a manifest that publishes as it is,
// and a manifest with several mistakes is refused with all of them listed at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startNode, type RunningNode } from '../../src/node/index.js';
import { validateManifest } from '../../src/records/schema.js';
import { testZone } from '../helpers/node.js';
import { steward, stewardInProcess, tempDir } from './helpers.js';

let node: RunningNode;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let key: string;

test.before(async () => {
  tmp = await tempDir();
  node = await startNode({ config: testZone(), port: 0, seed: false });
  key = join(tmp.dir, 'publisher.json');
  assert.is((await stewardInProcess(['keygen', '--out', key])).code, 0);
});
test.after(async () => {
  await node.close();
  await tmp.cleanup();
});

test('steward init writes a template that the real steward publishes as it is', async () => {
  const file = join(tmp.dir, 'my-agent.json');
  const init = await steward(['init', 'my-agent', '--out', file]);
  assert.is(init.code, 0, init.stderr);
  assert.match(init.stdout, /Wrote .*my-agent\.json/);
  const manifest = JSON.parse(await readFile(file, 'utf8'));
  assert.is(manifest.name, 'my-agent');
  assert.is(manifest.namespace, undefined, 'publish fills in the registry namespace');
  const pub = await steward(['publish', file, '--key', key, '--registry', node.url]);
  assert.is(pub.code, 0, pub.stderr);
  assert.match(pub.stdout, /Agent published: my-agent\.vibe-agency\.com\.steward-registry\.org 0\.1\.0/);
});

test('steward init --namespace writes a manifest valid against the schema; refuses to overwrite without --force', async () => {
  const file = join(tmp.dir, 'ns-agent.json');
  assert.is((await stewardInProcess(['init', 'ns-agent', '--namespace', 'vibe-agency.com', '--out', file])).code, 0);
  validateManifest(JSON.parse(await readFile(file, 'utf8')));
  const again = await stewardInProcess(['init', 'ns-agent', '--out', file]);
  assert.is(again.code, 2);
  assert.match(again.stderr, /exists; pass --force/);
  assert.is((await stewardInProcess(['init', 'ns-agent', '--out', file, '--force'])).code, 0);
  const bad = await stewardInProcess(['init', 'My_Agent']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /agent name "My_Agent"/);
  const printed = await stewardInProcess(['init', 'x-agent', '--out', '-']);
  assert.is(JSON.parse(printed.stdout).name, 'x-agent');
});

test('a manifest with three mistakes is refused with all three listed, one per line', async () => {
  const file = join(tmp.dir, 'bad.json');
  await writeFile(
    file,
    JSON.stringify({ name: 'bad-agent', version: 'v1', capabilities: [], endpoints: [{ url: 'ftp://x', protocol: 'a2a' }], visibility: 'public' }),
  );
  const res = await steward(['publish', file, '--key', key, '--registry', node.url]);
  assert.is(res.code, 2, res.stderr);
  const lines = res.stderr.trim().split('\n');
  assert.match(lines[0]!, /manifest has 3 problems \(SCHEMA_VIOLATION\)/);
  assert.is(lines.length, 4, res.stderr);
  assert.match(res.stderr, /- \/version must be a semantic version like 1\.2\.0 \(got "v1"\)/);
  assert.match(res.stderr, /- \/capabilities must NOT have fewer than 1 items/);
  assert.match(res.stderr, /- \/endpoints\/0\/url must be an http or https URL/);
});

test('the registry lists every problem in the problem document (errors) and detail', async () => {
  const { validateManifest: v } = await import('../../src/records/schema.js');
  try {
    v({ name: 'Bad', namespace: '', version: '1.0.0', capabilities: ['x'], endpoints: [{ url: 'https://a.example', protocol: 'a2a' }], extra: 1 });
    assert.unreachable();
  } catch (err) {
    const e = err as { code: string; message: string; extra: { errors: string[] } };
    assert.is(e.code, 'SCHEMA_VIOLATION');
    assert.is(e.extra.errors.length, 3, e.message);
    assert.match(e.message, /^manifest has 3 problems: /);
    assert.match(e.message, /\/visibility is required/);
    assert.match(e.message, /\/extra is not allowed/);
    assert.match(e.message, /\/name/);
  }
});

test.run();

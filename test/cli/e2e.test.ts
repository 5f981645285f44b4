// The whole client against the real federation (the seed's zone files, every node on
// port 0): keygen → publish → resolve → discover → unpublish → resolve says NXDOMAIN.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { ROOT, steward, stewardInProcess, tempDir } from './helpers.js';

delete process.env.STEWARD_REGISTRY;

const DOMAIN = 'steward-registry.org';
const ZONE = `vibe-agency.com.${DOMAIN}`;
const NAME = 'cli-e2e-courier';
const FQID = `${NAME}.${ZONE}`;

let fed: Federation;
let tmp: Awaited<ReturnType<typeof tempDir>>;
let vibe: string;
let root: string;
let key: string;
let otherKey: string;

const manifest = (version: string, extra: Record<string, unknown> = {}) => ({
  name: NAME,
  version,
  description: 'Carries test payloads between CLI runs',
  capabilities: ['cli_e2e_courier'],
  endpoints: [{ url: 'https://agents.vibe-agency.com/courier', protocol: 'a2a', region: 'eu-west' }],
  visibility: 'public',
  ...extra,
});

test.before(async () => {
  tmp = await tempDir();
  fed = await startFederation(loadZoneDir(join(ROOT, 'zones')), { ephemeralPorts: true, fsync: false });
  vibe = fed.byZone(ZONE).url;
  root = fed.byZone(DOMAIN).url;
  key = join(tmp.dir, 'publisher.json');
  otherKey = join(tmp.dir, 'intruder.json');
});

test.after(async () => {
  await fed?.close();
  await tmp?.cleanup();
});

test('keygen, publish, and a second publish of the same version refused', async () => {
  const [k, k2] = await Promise.all([steward(['keygen', '--out', key]), stewardInProcess(['keygen', '--out', otherKey, '--alg', 'EdDSA'])]);
  assert.is(k.code, 0, k.stderr);
  assert.is(k2.code, 0, k2.stderr);
  const fingerprint = /Fingerprint: (\S+)/.exec(k.stdout)![1];

  const m1 = join(tmp.dir, 'm1.json');
  await writeFile(m1, JSON.stringify(manifest('1.0.0'), null, 2));
  const p = await steward(['publish', m1, '--key', key, '--registry', vibe]);
  assert.is(p.code, 0, p.stderr);
  assert.match(p.stdout, new RegExp(`^✅ Agent published: ${FQID.replace(/\./g, '\\.')} 1\\.0\\.0$`, 'm'));
  assert.match(p.stdout, new RegExp(`fingerprint: +${fingerprint}`));

  const again = await stewardInProcess(['publish', m1, '--key', key, '--registry', vibe]);
  assert.is(again.code, 1, again.stderr);
  assert.match(again.stderr, /^error: .+: .+ \(VERSION_NOT_RISING\)\n$/);

  const stolen = join(tmp.dir, 'm2.json');
  await writeFile(stolen, JSON.stringify(manifest('2.0.0')));
  const other = await stewardInProcess(['publish', stolen, '--key', otherKey, '--registry', vibe]);
  assert.is(other.code, 1, other.stderr);
  assert.match(other.stderr, /\(KEY_MISMATCH\)/);
});

test("a manifest the registry's schema refuses: exit 2, the server's problem shown", async () => {
  const bad = join(tmp.dir, 'bad.json');
  await writeFile(bad, JSON.stringify(manifest('banana', { name: 'cli-e2e-banana' })));
  const r = await stewardInProcess(['publish', bad, '--key', key, '--registry', vibe]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: .+ \((SCHEMA_VIOLATION|BAD_REQUEST)\)\n$/);
  assert.match(r.stderr, /version/);
});

test("publish signs the registry's namespace in when the file leaves it out; another namespace is refused", async () => {
  const record = await (await fetch(`${vibe}/v1/agents/${NAME}`)).json();
  const signed = JSON.parse(Buffer.from(record.jws.split('.')[1], 'base64url').toString());
  assert.is(signed.namespace, 'vibe-agency.com');
  const elsewhere = join(tmp.dir, 'elsewhere.json');
  await writeFile(elsewhere, JSON.stringify(manifest('1.0.0', { name: 'cli-e2e-elsewhere', namespace: 'acme-corp.com' })));
  const r = await stewardInProcess(['publish', elsewhere, '--key', key, '--registry', vibe]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /acme-corp\.com.*\(WRONG_NAMESPACE\)/);
});

test('resolve: from the root by FQID (recursive, --json and --trace) and by short name at home', async () => {
  const [json, traced, short, short2] = await Promise.all([
    steward(['resolve', FQID, '--registry', root, '--json']),
    stewardInProcess(['resolve', `${NAME}.vibe-agency.com`, '--registry', root, '--trace']),
    stewardInProcess(['resolve', NAME, '--registry', vibe]),
    stewardInProcess(['resolve', NAME.toUpperCase(), '--registry', vibe, '--no-recurse']),
  ]);
  assert.is(json.code, 0, json.stderr);
  const answer = JSON.parse(json.stdout);
  assert.is(answer.status, 'NOERROR');
  assert.is(answer.answer.id, FQID);
  assert.is(answer.answer.version, '1.0.0');

  assert.is(traced.code, 0, traced.stderr);
  assert.match(traced.stdout, new RegExp(`^;; trace for ${NAME}\\.vibe-agency\\.com$`, 'm'));
  assert.match(traced.stdout, /^;; 1\. /m);
  assert.match(traced.stdout, new RegExp(`^${FQID.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(traced.stdout, /^ {2}version: +1\.0\.0$/m);

  for (const r of [short, short2]) {
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${FQID.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, /^ {2}endpoints: +https:\/\/agents\.vibe-agency\.com\/courier \(a2a, eu-west\)$/m);
  }
});

test('resolve: an agent that does not exist is NXDOMAIN, exit 1', async () => {
  const r = await stewardInProcess(['resolve', 'no-such-agent-here.vibe-agency.com', '--registry', root]);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /NXDOMAIN/);
});

test('discover: found locally, in the seed style; --json parses; --geo-aware measures', async () => {
  const [human, json, geo] = await Promise.all([
    steward(['discover', 'cli_e2e_courier', '--registry', vibe]),
    stewardInProcess(['discover', 'cli_e2e_courier', '--registry', vibe, '--json']),
    stewardInProcess(['discover', 'cli_e2e_courier', '--registry', vibe, '--geo-aware']),
  ]);
  assert.is(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^Local Registry \\(${ZONE.replace(/\./g, '\\.')}\\): 1 result found$`, 'm'));
  assert.match(human.stdout, /^Found 1 agent across 1 registry:$/m);
  assert.match(human.stdout, new RegExp(`^│ ${NAME}\\.vibe-agency\\.com +│ vibe-agency\\.com +│ \\d\\.\\d\\d +│ [\\d.]+ms \\(local\\) +│$`, 'm'));
  assert.is(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout);
  assert.is(body.results[0].id, FQID);
  assert.is(geo.code, 0, geo.stderr);
  assert.match(geo.stdout, /^Measuring latency\.\.\.\n {2}- 127\.0\.0\.1:\d+ \(eu-west\): [\d.]+ms ✅ \(closest\)\n/);
});

test('discover: the escalation lines of the seed when the local zone has nothing', async () => {
  const acme = fed.byZone(`acme-corp.com.${DOMAIN}`).url;
  const r = await stewardInProcess(['discover', 'orchestrate_sdlc', '--registry', acme]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], new RegExp(`^Local Registry \\(acme-corp\\.com\\.${DOMAIN}\\): `));
  if (!/No results/.test(lines[0])) return; // the zone has its own match: no escalation to show
  assert.match(lines[1], new RegExp(`^Parent Registry \\(com\\.${DOMAIN}\\): (No results|\\d+ results? found)$`));
  if (r.code === 0) assert.match(r.stdout, /^Found \d+ agents? across \d registries:$/m);
});

test('unpublish: a stranger key is refused, the owner key withdraws, then resolve is exit 1', async () => {
  const stranger = await stewardInProcess(['unpublish', NAME, '--key', otherKey, '--registry', vibe]);
  assert.is(stranger.code, 1, stranger.stderr);
  assert.match(stranger.stderr, /^error: .+ \([A-Z_]+\)\n$/);

  const wrongZone = await stewardInProcess(['unpublish', `${NAME}.acme-corp.com`, '--key', key, '--registry', vibe]);
  assert.is(wrongZone.code, 1, wrongZone.stderr);
  assert.match(wrongZone.stderr, /not in this registry's zone/);

  const u = await steward(['unpublish', FQID, '--key', key, '--registry', vibe]);
  assert.is(u.code, 0, u.stderr);
  assert.match(u.stdout, new RegExp(`^✅ Agent unpublished: ${FQID.replace(/\./g, '\\.')} 1\\.0\\.0$`, 'm'));

  const [gone, goneAgain] = await Promise.all([
    steward(['resolve', NAME, '--registry', vibe]),
    stewardInProcess(['unpublish', NAME, '--key', key, '--registry', vibe]),
  ]);
  assert.is(gone.code, 1, gone.stderr);
  assert.match(gone.stdout, new RegExp(`NXDOMAIN \\(no such agent; denied by ${ZONE.replace(/\./g, '\\.')}`));
  assert.is(goneAgain.code, 1);
  assert.match(goneAgain.stderr, /\(NOT_FOUND\)/);
});

test.run();

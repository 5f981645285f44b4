import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateManifest, validateTombstone } from '../../src/records/schema.js';
import { manifest, rejectsWith } from './fixtures.js';

const bad = (over: Record<string, unknown>, ...fragments: string[]) =>
  rejectsWith(() => validateManifest(manifest(over)), 'SCHEMA_VIOLATION', ...fragments);

test('the SPEC example manifest validates; optional fields may be left out', () => {
  assert.equal(validateManifest(manifest()), manifest());
  const { description, tags, ...minimal } = manifest();
  assert.equal(validateManifest({ ...minimal, endpoints: [{ url: 'http://x.example', protocol: 'http' }] }).name, 'vibe-agency-orchestrator');
});

test('version must be clean semver', async () => {
  await bad({ version: '1.2' }, '/version', 'semantic version');
  await bad({ version: 'v1.2.0' }, '/version');
  await bad({ version: 'latest' }, '/version');
  assert.is(validateManifest(manifest({ version: '2.0.0-rc.1+build.5' })).version, '2.0.0-rc.1+build.5');
});

test('capabilities: 1..64 unique lowercase tokens', async () => {
  await bad({ capabilities: ['Planning'] }, '/capabilities/0', 'pattern');
  await bad({ capabilities: ['has space'] }, '/capabilities/0');
  await bad({ capabilities: ['x'.repeat(65)] }, '/capabilities/0');
  await bad({ capabilities: [] }, '/capabilities');
  await bad({ capabilities: ['a', 'a'] }, '/capabilities', 'duplicates');
  await bad({ capabilities: Array.from({ length: 65 }, (_, i) => `c${i}`) }, '/capabilities', '64');
});

test('unknown fields are refused, at the top and inside endpoints', async () => {
  await bad({ owner: 'me' }, '/owner', 'unknown field');
  await bad({ endpoints: [{ url: 'https://a.example', protocol: 'a2a', weight: 1 }] }, '/endpoints/0/weight', 'unknown field');
});

test('visibility is required and must be public or internal', async () => {
  const { visibility, ...rest } = manifest();
  await rejectsWith(() => validateManifest(rest), 'SCHEMA_VIOLATION', '/visibility is required');
  await bad({ visibility: 'private' }, '/visibility', '"public", "internal"');
});

test('name is one lowercase label', async () => {
  await bad({ name: 'Vibe' }, '/name', 'lowercase');
  await bad({ name: '-vibe' }, '/name', 'hyphen');
  await bad({ name: 'a.b' }, '/name');
  await bad({ name: 'x'.repeat(64) }, '/name');
  await rejectsWith(() => validateManifest({ ...manifest(), name: undefined }), 'SCHEMA_VIOLATION', '/name is required');
});

test('endpoints: 1..16, http(s) URLs with a host, protocol token, optional region', async () => {
  await bad({ endpoints: [] }, '/endpoints');
  await bad({ endpoints: [{ url: 'ftp://a.example', protocol: 'a2a' }] }, '/endpoints/0/url', 'http or https');
  await bad({ endpoints: [{ url: 'https://user:pw@a.example', protocol: 'a2a' }] }, '/endpoints/0/url');
  await bad({ endpoints: [{ url: `https://a.example/${'x'.repeat(2048)}`, protocol: 'a2a' }] }, '/endpoints/0/url');
  await bad({ endpoints: [{ url: 'https://a.example' }] }, '/endpoints/0/protocol is required');
  await bad({ endpoints: [{ url: 'https://a.example', protocol: 'A2A' }] }, '/endpoints/0/protocol');
  await bad({ endpoints: [{ url: 'https://a.example', protocol: 'a2a', region: 'EU West' }] }, '/endpoints/0/region');
  await bad({ endpoints: Array.from({ length: 17 }, () => ({ url: 'https://a.example', protocol: 'a2a' })) }, '/endpoints');
});

test('description at most 1024 chars, tags at most 32 tokens', async () => {
  await bad({ description: 'x'.repeat(1025) }, '/description', '1024');
  await bad({ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, '/tags');
  await bad({ tags: ['Not OK'] }, '/tags/0');
});

test('non-objects are refused', async () => {
  for (const x of [null, 5, 'str', [manifest()]]) await rejectsWith(() => validateManifest(x), 'SCHEMA_VIOLATION', 'must be object');
});

test('the unpublish payload is {name, namespace, deleted: true, version}', async () => {
  const t = { name: 'a', namespace: 'acme-corp.com', deleted: true, version: '1.0.0' };
  assert.equal(validateTombstone(t), t);
  assert.equal(validateTombstone({ ...t, namespace: '' }).namespace, '');
  await rejectsWith(() => validateTombstone({ ...t, deleted: false }), 'SCHEMA_VIOLATION', '/deleted', 'true');
  await rejectsWith(() => validateTombstone({ name: 'a', namespace: '', deleted: true }), 'SCHEMA_VIOLATION', '/version is required');
  await rejectsWith(() => validateTombstone({ name: 'a', deleted: true, version: '1.0.0' }), 'SCHEMA_VIOLATION', '/namespace is required');
  await rejectsWith(() => validateTombstone({ ...t, why: 'x' }), 'SCHEMA_VIOLATION', '/why');
});

test('namespace is required: "" (the root) or dot-separated lowercase labels', async () => {
  const { namespace: _n, ...unbound } = manifest();
  await rejectsWith(() => validateManifest(unbound), 'SCHEMA_VIOLATION', '/namespace is required');
  for (const ns of ['', 'com', 'vibe-agency.com', 'a.b.c.d', 'xn--bcher-kva.example']) assert.is(validateManifest(manifest({ namespace: ns })).namespace, ns);
  for (const ns of ['Vibe.com', '.com', 'com.', 'a..b', '-a.com', 'a_b.com', ' com', 'x'.repeat(64), 7, null]) {
    await bad({ namespace: ns }, '/namespace');
  }
});

test.run();

// What another replica sends is hostile until validated (src/federation/replicas/validate.ts):
// a version whose digest, key, zone or signature does not hold is refused; the manifest
// fields kept are the signed ones, never the sender's copy; unknown fields are dropped; a
// delete's signed unpublish is kept only when it verifies for the record.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { digestFromReplica, versionFromReplica } from '../../src/federation/replicas/validate.js';
import { manifestDigest } from '../../src/records/digest.js';
import { signCompact } from '../../src/records/keys.js';
import type { AgentRecord } from '../../src/records/types.js';
import { key, manifest } from '../records/fixtures.js';

const NS = 'vibe-agency.com';
const ZONE = `${NS}.steward-registry.org`;
const where = { zone: ZONE, namespace: NS };

async function record(over: Record<string, unknown> = {}): Promise<AgentRecord> {
  const k = await key();
  const m = manifest({ visibility: 'internal' });
  const jws = await signCompact(m, k);
  const { namespace: _n, ...fields } = m;
  return {
    ...fields, id: `${m.name}.${ZONE}`, namespace: NS, zone: ZONE, fingerprint: k.fingerprint, digest: manifestDigest(m), jws,
    published_at: '2026-01-01T00:00:00.000Z', trust: 0.5, vector_clock: { 'eu-west:x': 3 }, ...over,
  } as AgentRecord;
}

test('a genuine version is kept (internal included: replicas are the zone), with only SPEC fields', async () => {
  const r = await record();
  const v = await versionFromReplica({ op: 'put', record: { ...r, evil: 1 }, extra: true }, where);
  assert.is(v.op, 'put');
  assert.is(v.record.visibility, 'internal');
  assert.is((v.record as unknown as Record<string, unknown>).evil, undefined);
  assert.equal(v.record.vector_clock, { 'eu-west:x': 3 });
});

test('forged versions are refused', async () => {
  const r = await record();
  const other = await key('ES256', 1);
  const cases: [string, unknown][] = [
    ['bad op', { op: 'merge', record: r }],
    ['digest not the signed manifest', { op: 'put', record: { ...r, digest: `sha256:${'0'.repeat(64)}` } }],
    ['fingerprint not the signer', { op: 'put', record: { ...r, fingerprint: other.fingerprint } }],
    ['another zone', { op: 'put', record: { ...r, zone: `acme.${ZONE}`, id: `${r.name}.acme.${ZONE}` } }],
    ['a name that is not the signed one', { op: 'put', record: { ...r, id: `someone-else.${ZONE}`, name: 'someone-else' } }],
    ['a broken signature', { op: 'delete', record: { ...r, jws: `${r.jws.slice(0, -4)}AAAA` } }],
    ['a negative clock', { op: 'put', record: { ...r, vector_clock: { a: -1 } } }],
  ];
  for (const [what, raw] of cases) {
    let refused = false;
    try {
      await versionFromReplica(raw, where);
    } catch {
      refused = true;
    }
    assert.ok(refused, what);
  }
  // The sender's copy of a manifest field never wins over the signed one.
  const v = await versionFromReplica({ op: 'put', record: { ...r, endpoints: [{ url: 'https://evil.example', protocol: 'a2a' }] } }, where);
  assert.is(v.record.endpoints[0]!.url, manifest().endpoints[0]!.url);
});

test('a delete keeps the signed unpublish only when it verifies for the record (key, name, namespace, version); else the delete comes without it', async () => {
  const r = await record();
  const tomb = async (o: Record<string, unknown> = {}, k?: Awaited<ReturnType<typeof key>>) =>
    signCompact({ name: r.name, namespace: NS, deleted: true, version: r.version, ...o }, k ?? (await key()));
  const good = await tomb();
  const v = await versionFromReplica({ op: 'delete', record: { ...r, tombstone: good } }, where);
  assert.is(v.record.tombstone, good);
  const put = await versionFromReplica({ op: 'put', record: { ...r, tombstone: good } }, where);
  assert.is(put.record.tombstone, undefined, 'a live record never carries one');
  const cases: [string, unknown][] = [
    ['another key', await tomb({}, await key('ES256', 1))],
    ['another version', await tomb({ version: '9.9.9' })],
    ['another name', await tomb({ name: 'someone-else' })],
    ['another namespace', await tomb({ namespace: 'other.com' })],
    ['not a JWS', 'nope'],
    ['not a string', 42],
  ];
  for (const [what, tombstone] of cases) {
    const d = await versionFromReplica({ op: 'delete', record: { ...r, tombstone } }, where);
    assert.is(d.op, 'delete', what);
    assert.is(d.record.tombstone, undefined, what);
  }
});

test('a digest answer must have a root and 256 bucket hashes', () => {
  const hashes = Array.from({ length: 256 }, () => '0'.repeat(32));
  assert.is(digestFromReplica({ root: 'a'.repeat(64), hashes, names: 3 }).names, 3);
  for (const bad of [null, { root: 'x', hashes, names: 1 }, { root: 'a'.repeat(64), hashes: hashes.slice(1), names: 1 }, { root: 'a'.repeat(64), hashes, names: -1 }]) {
    assert.throws(() => digestFromReplica(bad));
  }
});

test.run();

// The pull loop against a hostile child (a stand-in for its signed GET /v1/sync): every
// pulled entry is checked like a push — a forged one (digest not the signed manifest's,
// a name outside the child's zone) is rejected alone and audited while the good ones are
// applied (own deletes with a forged or mismatched tombstone too); pages are followed
// until next = serial and the cursor resumes after them; a
// body that is not a sync page marks the child down without moving the cursor.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditLog } from '../../src/audit/index.js';
import { Puller } from '../../src/federation/pull/puller.js';
import { SubtreeIndex } from '../../src/federation/subtree/index.js';
import { FederationHealth } from '../../src/health/index.js';
import type { PeerClient } from '../../src/peer/index.js';
import { manifestDigest } from '../../src/records/digest.js';
import { signCompact } from '../../src/records/keys.js';
import { Delegations } from '../../src/topology/delegations.js';
import { key, manifest } from '../records/fixtures.js';

const ROOT = 'steward-registry.org';
const PARENT = `com.${ROOT}`;
const NS = 'acme-labs.com';
const CHILD = `${NS}.${ROOT}`;

async function ref(name: string, o: { ns?: string; digest?: string } = {}) {
  const ns = o.ns ?? NS;
  const m = manifest({ name, namespace: ns, version: '1.0.0', capabilities: ['pull_probe'], endpoints: [{ url: `https://agents.example.com/${name}`, protocol: 'a2a', region: 'eu-west' }] });
  const k = await key();
  return {
    id: `${name}.${ns}.${ROOT}`, namespace: ns, zone: `${ns}.${ROOT}`, name, version: '1.0.0', capabilities: m.capabilities, tags: m.tags, trust: 0.5,
    digest: o.digest ?? manifestDigest(m), fingerprint: k.fingerprint, published_at: new Date().toISOString(), vector_clock: {}, jws: await signCompact(m, k),
  };
}

/** A child whose sync log is `log` (entries with seq); `broken` answers garbage. */
function child(log: { seq: number; op: string; ref: unknown }[], o: { pageSize: number; broken?: boolean }) {
  const asked: number[] = [];
  const peer = {
    async signedJson(_method: string, url: URL) {
      if (o.broken) return { status: 200, json: { entries: 'nope' }, ms: 1 };
      const since = Number(url.searchParams.get('since'));
      asked.push(since);
      const entries = log.filter((e) => e.seq > since).slice(0, o.pageSize);
      const serial = log.at(-1)?.seq ?? 0;
      return { status: 200, json: { entries, next: entries.at(-1)?.seq ?? Math.max(since, serial), serial }, ms: 1 };
    },
  } as unknown as PeerClient;
  return { peer, asked };
}

async function setup(peer: PeerClient) {
  const subtree = await SubtreeIndex.open({ zone: PARENT });
  const audit = await AuditLog.open();
  const health = new FederationHealth();
  const delegations = await Delegations.open({ zone: PARENT, seed: [{ zone: CHILD, endpoints: [{ url: 'http://127.0.0.1:9', region: 'eu-west' }] }] });
  const puller = await Puller.open({ rootDomain: ROOT, delegations, subtree, signed: peer, audit, health, intervalMs: 3_600_000 });
  return { subtree, audit, health, puller };
}

const t = suite('pull loop');

t('a forged entry inside a pulled page is rejected alone; the good ones are applied, page after page; the cursor resumes', async () => {
  const log = [
    { seq: 1, op: 'put', ref: await ref('good-one') },
    { seq: 2, op: 'put', ref: await ref('forged-digest', { digest: 'sha256:AAAA' }) },
    { seq: 3, op: 'put', ref: await ref('elsewhere', { ns: 'other-org.com' }) },
    { seq: 4, op: 'put', ref: await ref('good-two') },
    { seq: 5, op: 'put', ref: await ref('good-three') },
  ];
  const c = child(log, { pageSize: 2 });
  const { subtree, audit, health, puller } = await setup(c.peer);
  const [r] = await puller.round();
  assert.ok(r!.ok, r!.error);
  assert.is(r!.applied, 3);
  assert.is(r!.rejected, 2);
  assert.equal([...subtree.ids()].sort(), [`good-one.${CHILD}`, `good-three.${CHILD}`, `good-two.${CHILD}`]);
  assert.is(puller.cursor(CHILD), 5);
  assert.equal(c.asked, [0, 2, 4]);
  const e = audit.query({ kinds: ['pull'] }).entries.at(-1)!;
  const codes = (e.data as { first_rejected: { code: string }[] }).first_rejected.map((x) => x.code).sort();
  assert.equal(codes, ['BAD_SIGNATURE', 'NOT_PERMITTED']);
  assert.ok(health.lagSeconds(CHILD) !== undefined);
  log.push({ seq: 6, op: 'put', ref: await ref('good-four') });
  const [again] = await puller.round();
  assert.is(again!.applied, 1);
  assert.equal(c.asked.slice(3), [5], 'resumed after the last seq applied');
  await puller.close();
});

t('own deletes in a pulled page are checked like pushed ones: a forged or mismatched tombstone is rejected alone, the good delete applied', async () => {
  const refs = { kept: await ref('kept-one'), other: await ref('kept-two'), gone: await ref('gone-one'), older: await ref('kept-three') };
  const tomb = async (name: string, o: { k?: Awaited<ReturnType<typeof key>>; version?: string } = {}) =>
    signCompact({ name, namespace: NS, deleted: true, version: o.version ?? '1.0.0' }, o.k ?? (await key()));
  /** The wire form of a child's own delete (GET /v1/sync): the record as it was, and the signed unpublish. */
  const ownDelete = (seq: number, r: typeof refs.kept, tombstone: string, version = '1.0.0') =>
    ({ seq, op: 'delete', id: r.id, version, tombstone, record: { ...r, visibility: 'public' } });
  const log: { seq: number; op: string; [k: string]: unknown }[] = Object.values(refs).map((r, i) => ({ seq: i + 1, op: 'put', record: { ...r, visibility: 'public' } }));
  const c = child(log as never, { pageSize: 100 });
  const { subtree, audit, puller } = await setup(c.peer);
  const [first] = await puller.round();
  assert.is(first!.applied, 4, first!.error);
  log.push(
    ownDelete(5, refs.kept, await tomb('kept-one', { k: await key('ES256', 1) })), // signed by another key
    ownDelete(6, refs.other, await tomb('gone-one')), // the tombstone of another name
    ownDelete(7, refs.other, 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA'), // not a valid signature
    ownDelete(8, refs.gone, await tomb('gone-one')),
    ownDelete(9, refs.older, await tomb('kept-three', { version: '0.9.0' }), '0.9.0'), // names an older version
  );
  const [r] = await puller.round();
  assert.ok(r!.ok, r!.error);
  assert.is(r!.applied, 1);
  assert.is(r!.rejected, 4);
  assert.equal([...subtree.ids()].sort(), [refs.older.id, refs.kept.id, refs.other.id].sort());
  assert.ok(subtree.deleted(refs.gone.id)?.tombstone, 'the good delete is kept with its signed unpublish');
  assert.is(puller.cursor(CHILD), 9);
  const e = audit.query({ kinds: ['pull'] }).entries.at(-1)!;
  const codes = (e.data as { first_rejected: { code: string }[] }).first_rejected.map((x) => x.code).sort();
  assert.equal(codes, ['BAD_JWS', 'KEY_MISMATCH', 'SCHEMA_VIOLATION', 'VERSION_MISMATCH']);
  await puller.close();
});

t('a body that is not a sync page: the child is marked down, nothing applied, the cursor stays', async () => {
  const { subtree, health, puller, audit } = await setup(child([], { pageSize: 10, broken: true }).peer);
  const [r] = await puller.round();
  assert.is(r!.ok, false);
  assert.match(r!.error!, /not \{entries/);
  assert.is([...subtree.ids()].length, 0);
  assert.is(puller.cursor(CHILD), 0);
  assert.is(health.list('child').find((p) => p.key === CHILD)?.up, false);
  assert.ok(audit.query({ kinds: ['pull'] }).entries.some((e) => /failed/.test(e.detail)));
  await puller.close();
});

t.run();

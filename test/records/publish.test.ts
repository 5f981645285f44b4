import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfusableIndex } from '../../src/records/confusable.js';
import { manifestDigest } from '../../src/records/digest.js';
import type { PublisherAlg } from '../../src/records/jws.js';
import { signCompact, type PublisherKey } from '../../src/records/keys.js';
import { prepareUnpublish, preparePublish, type PublishPolicy } from '../../src/records/publish.js';
import type { AgentRecord } from '../../src/records/types.js';
import { b64, key, manifest, rejectsWith } from './fixtures.js';

const NS = 'vibe-agency.com';
const ZONE = `${NS}.steward-registry.org`;

/** A minimal zone: what preparePublish's caller does (store + keep the index current). */
function zone(policy?: PublishPolicy) {
  const records = new Map<string, AgentRecord>();
  const confusables = new ConfusableIndex();
  const view = { zone: ZONE, namespace: NS, current: (l: string) => records.get(l) };
  return {
    records,
    async publish(jws: string, now = new Date('2025-01-01T00:00:00Z'), replicaId = 'r1') {
      const rec = await preparePublish({ jws, ...view, replicaId, now, confusables, policy });
      records.set(rec.name, rec);
      confusables.add(rec.name);
      return rec;
    },
    async unpublish(jws: string, label?: string) {
      const out = await prepareUnpublish({ jws, ...view, label });
      records.delete(out.label);
      confusables.remove(out.label);
      return out;
    },
  };
}

const sign = async (over: Record<string, unknown>, k?: PublisherKey) => signCompact(manifest(over), k ?? (await key()));

for (const alg of ['ES256', 'EdDSA', 'RS256'] as PublisherAlg[]) {
  test(`${alg}: a good publish builds the full record`, async () => {
    const k = await key(alg);
    const z = zone();
    const jws = await signCompact(manifest(), k);
    const rec = await z.publish(jws);
    assert.is(rec.id, `vibe-agency-orchestrator.${ZONE}`);
    assert.is(rec.namespace, 'vibe-agency.com');
    assert.is(rec.zone, ZONE);
    assert.is(rec.fingerprint, k.fingerprint);
    assert.is(rec.digest, manifestDigest(manifest()));
    assert.is(rec.jws, jws);
    assert.is(rec.published_at, '2025-01-01T00:00:00.000Z');
    assert.equal(rec.vector_clock, { r1: 1 });
    assert.is(rec.trust, 0.5); // new key, https endpoint, description
    const { id, namespace, zone: _z, fingerprint, digest, jws: _j, published_at, trust, vector_clock, ...fields } = rec;
    assert.equal({ ...fields, namespace }, manifest());
  });
}

test('a later version by the same key is accepted: clock ticks, trust grows with time held', async () => {
  const z = zone();
  const first = await z.publish(await sign({}));
  const second = await z.publish(await sign({ version: '1.3.0' }), new Date('2025-03-02T00:00:00Z'), 'r2');
  assert.equal(second.vector_clock, { r1: 1, r2: 1 });
  const third = await z.publish(await sign({ version: '2.0.0' }), new Date('2025-03-03T00:00:00Z'), 'r2');
  assert.equal(third.vector_clock, { r1: 1, r2: 2 });
  assert.is(first.trust, 0.5);
  // held 60 days (since the version it replaces, without a history): 0.5 + continuity 0.15 + key age 0.10 * 60/90
  assert.is(second.trust, 0.72);
  // without a history, the hold is counted from the replaced version only: a lower bound
  assert.ok(third.trust > first.trust, `${first.trust} < ${third.trust}`);
});

test('four version bumps within a second do not raise a new key\'s trust', async () => {
  const z = zone();
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const scores: number[] = [];
  for (const [i, version] of ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'].entries()) {
    scores.push((await z.publish(await sign({ version }), new Date(t0 + i * 200), `r${i}`)).trust);
  }
  assert.equal(scores, [0.5, 0.5, 0.5, 0.5, 0.5]);
  // nor does a vector clock with a large sum (federation merges clocks)
  const rec = z.records.get('vibe-agency-orchestrator')!;
  z.records.set(rec.name, { ...rec, vector_clock: { a: 1000, b: 1000 } });
  assert.is((await z.publish(await sign({ version: '1.0.5' }), new Date(t0 + 1000))).trust, 0.5);
});

test('history drives continuity (time the key has held the name) and key age', async () => {
  const k = await key();
  const first = await preparePublish({
    jws: await signCompact(manifest({ version: '1.0.0' }), k), zone: ZONE, namespace: NS, replicaId: 'r1',
    now: new Date('2025-03-31T23:59:59Z'), current: () => undefined, confusables: new ConfusableIndex(),
  });
  const jws = await signCompact(manifest(), k);
  const held = async (since: string | undefined) => (await preparePublish({
    jws, zone: ZONE, namespace: NS, replicaId: 'r1', now: new Date('2025-04-01T00:00:00Z'),
    current: () => first, confusables: new ConfusableIndex(),
    history: { nameHeldSince: () => since, keyFirstSeen: (fp) => (fp === k.fingerprint ? '2024-12-01T00:00:00Z' : undefined) },
  })).trust;
  assert.is(await held('2025-02-01T00:00:00Z'), 0.75); // 0.5 + continuity 0.15 (59 days) + key age 0.10
  assert.is(await held('2025-03-12T00:00:00Z'), 0.7); // held 20 days: two thirds of the continuity
  assert.is(await held(undefined), 0.6); // no history: held since the replaced version (1 s)
});

test('a manifest is bound to its namespace: another zone refuses it with 422 WRONG_NAMESPACE', async () => {
  const z = zone();
  const victim = await z.publish(await sign({}));
  // the victim's public record, replayed into another zone under the victim's key
  const other = (namespace: string) => preparePublish({
    jws: victim.jws, zone: namespace ? `${namespace}.steward-registry.org` : 'steward-registry.org', namespace,
    replicaId: 'r1', current: () => undefined, confusables: new ConfusableIndex(),
  });
  const err = await rejectsWith(() => other('acme-corp.com'), 'WRONG_NAMESPACE', '"vibe-agency.com"', '"acme-corp.com"');
  assert.is(err.status, 422);
  assert.equal(err.extra, { namespace: NS, zone_namespace: 'acme-corp.com' });
  await rejectsWith(() => other(''), 'WRONG_NAMESPACE', 'root zone');
  // the root zone's namespace is ""
  const rootRec = await preparePublish({
    jws: await sign({ namespace: '' }), zone: 'steward-registry.org', namespace: '', replicaId: 'r1',
    current: () => undefined, confusables: new ConfusableIndex(),
  });
  assert.is(rootRec.namespace, '');
  assert.is(rootRec.id, 'vibe-agency-orchestrator.steward-registry.org');
  // required, and a namespace must be well formed
  const { namespace: _n, ...unbound } = manifest();
  await rejectsWith(async () => z.publish(await signCompact(unbound, await key())), 'SCHEMA_VIOLATION', '/namespace is required');
  await rejectsWith(async () => z.publish(await sign({ name: 'x1', namespace: 'Vibe-Agency.com' })), 'SCHEMA_VIOLATION', '/namespace');
  await rejectsWith(async () => z.publish(await sign({ name: 'x1', namespace: 'vibe-agency.com.' })), 'SCHEMA_VIOLATION', '/namespace');
});

test('an unpublish request is bound to its namespace too', async () => {
  const z = zone();
  await z.publish(await sign({}));
  const tomb = { name: 'vibe-agency-orchestrator', namespace: 'acme-corp.com', deleted: true, version: '1.2.0' };
  await rejectsWith(async () => z.unpublish(await signCompact(tomb, await key())), 'WRONG_NAMESPACE', 'unpublish request', '"acme-corp.com"');
  const { namespace: _n, ...unbound } = tomb;
  await rejectsWith(async () => z.unpublish(await signCompact(unbound, await key())), 'SCHEMA_VIOLATION', '/namespace is required');
  assert.is(z.records.size, 1);
});

test('an agent ID longer than 253 octets is refused', async () => {
  const longZone = `${'z'.repeat(60)}.${'y'.repeat(60)}.${'x'.repeat(60)}.steward-registry.org`;
  await rejectsWith(async () => preparePublish({
    jws: await sign({ name: 'a'.repeat(63), namespace: 'n' }), zone: longZone, namespace: 'n', replicaId: 'r1',
    current: () => undefined, confusables: new ConfusableIndex(),
  }), 'SCHEMA_VIOLATION', '253');
});

test('tampered payload is BAD_SIGNATURE, even when the payload also breaks the schema', async () => {
  const z = zone();
  const [h, , s] = (await sign({})).split('.');
  await rejectsWith(() => z.publish(`${h}.${b64(manifest({ version: '1.3.0' }))}.${s}`), 'BAD_SIGNATURE');
  await rejectsWith(() => z.publish(`${h}.${b64({ junk: true })}.${s}`), 'BAD_SIGNATURE');
  assert.is(z.records.size, 0);
});

test('header without jwk, HS256 and none are BAD_JWS', async () => {
  const z = zone();
  await rejectsWith(() => z.publish(`${b64({ alg: 'ES256' })}.${b64(manifest())}.${b64('x')}`), 'BAD_JWS', 'jwk');
  await rejectsWith(() => z.publish(`${b64({ alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } })}.${b64(manifest())}.${b64('x')}`), 'BAD_JWS', 'HS256');
  await rejectsWith(() => z.publish(`${b64({ alg: 'none' })}.${b64(manifest())}.`), 'BAD_JWS', 'none');
});

test('schema violations are reported after the signature checks out', async () => {
  const z = zone();
  await rejectsWith(async () => z.publish(await sign({ version: '1.2' })), 'SCHEMA_VIOLATION', '/version');
  await rejectsWith(async () => z.publish(await sign({ capabilities: ['Bad Cap'] })), 'SCHEMA_VIOLATION', '/capabilities/0');
  await rejectsWith(async () => z.publish(await sign({ extra: 1 })), 'SCHEMA_VIOLATION', '/extra', 'unknown field');
  const { visibility, ...noVis } = manifest();
  await rejectsWith(async () => z.publish(await signCompact(noVis, await key())), 'SCHEMA_VIOLATION', '/visibility is required');
  assert.is(z.records.size, 0);
});

test('version must rise: equal and lower are VERSION_NOT_RISING naming both', async () => {
  const z = zone();
  await z.publish(await sign({ version: '1.2.0' }));
  const eq = await rejectsWith(async () => z.publish(await sign({ version: '1.2.0' })), 'VERSION_NOT_RISING', '1.2.0');
  assert.is(eq.status, 409);
  await rejectsWith(async () => z.publish(await sign({ version: '1.1.9' })), 'VERSION_NOT_RISING', '1.2.0', '1.1.9');
  await rejectsWith(async () => z.publish(await sign({ version: '1.2.0-rc.1' })), 'VERSION_NOT_RISING');
  assert.is(z.records.get('vibe-agency-orchestrator')!.version, '1.2.0');
});

test('another key cannot publish a later version: KEY_MISMATCH naming both fingerprints', async () => {
  const z = zone();
  const owner = await key('ES256', 0);
  const other = await key('EdDSA', 1);
  await z.publish(await sign({}, owner));
  const err = await rejectsWith(async () => z.publish(await sign({ version: '9.0.0' }, other)), 'KEY_MISMATCH', owner.fingerprint, other.fingerprint);
  assert.is(err.status, 409);
});

test('confusable new names are refused with 422 naming the existing agent', async () => {
  const z = zone();
  await z.publish(await sign({}));
  await z.publish(await sign({ name: 'model', version: '1.0.0' }));
  await z.publish(await sign({ name: 'gpt-planner', version: '1.0.0' }));
  const cases: Array<[string, string]> = [
    ['vibe-agency-0rchestrator', 'vibe-agency-orchestrator'],
    ['rnodel', 'model'],
    ['gpt-planer', 'gpt-planner'],
  ];
  for (const [name, existing] of cases) {
    const err = await rejectsWith(async () => z.publish(await sign({ name, version: '1.0.0' })), 'CONFUSABLE_NAME', `${existing}.${ZONE}`);
    assert.is(err.status, 422);
    assert.is(err.extra.existing, `${existing}.${ZONE}`);
  }
  // the owner republishing its own name is not a conflict with itself
  assert.is((await z.publish(await sign({ name: 'model', version: '1.0.1' }))).version, '1.0.1');
  // after an unpublish the look-alike is free
  await z.unpublish(await signCompact({ name: 'model', namespace: NS, deleted: true, version: '1.0.1' }, await key()));
  assert.is((await z.publish(await sign({ name: 'rnodel', version: '1.0.0' }))).name, 'rnodel');
});

test('policy: keys off the allow list are FORBIDDEN; allow-listed keys count as verified', async () => {
  const allowed = await key('ES256', 0);
  const other = await key('ES256', 1);
  const z = zone({ allowedFingerprints: [allowed.fingerprint] });
  const err = await rejectsWith(async () => z.publish(await sign({}, other)), 'FORBIDDEN', other.fingerprint);
  assert.is(err.status, 403);
  assert.is((await z.publish(await sign({}, allowed))).trust, 0.75);
  const open = zone({ verifiedFingerprints: [other.fingerprint] });
  assert.is((await open.publish(await sign({}, other))).trust, 0.75);
  assert.is((await zone({ allowedFingerprints: [] }).publish(await sign({}, allowed)).catch((e) => e.code)), 'FORBIDDEN');
});

test('trust: http endpoints and no description score lower', async () => {
  const z = zone();
  const { description, ...m } = manifest({ endpoints: [{ url: 'http://plain.example', protocol: 'a2a' }] });
  assert.is((await z.publish(await signCompact(m, await key()))).trust, 0.3);
});

test('unpublish: same key and version removes the record', async () => {
  const z = zone();
  const rec = await z.publish(await sign({}));
  const out = await z.unpublish(await signCompact({ name: rec.name, namespace: NS, deleted: true, version: '1.2.0' }, await key()), rec.name);
  assert.is(out.label, rec.name);
  assert.equal(out.record, rec);
  assert.is(z.records.size, 0);
});

test('unpublish: wrong key, wrong version, unknown name, bad payload, wrong path, tampered', async () => {
  const z = zone();
  await z.publish(await sign({}));
  const tomb = (over: Record<string, unknown> = {}) => ({ name: 'vibe-agency-orchestrator', namespace: NS, deleted: true, version: '1.2.0', ...over });
  await rejectsWith(async () => z.unpublish(await signCompact(tomb(), await key('EdDSA', 1))), 'KEY_MISMATCH');
  const vm = await rejectsWith(async () => z.unpublish(await signCompact(tomb({ version: '1.1.0' }), await key())), 'VERSION_MISMATCH', '1.2.0', '1.1.0');
  assert.is(vm.status, 409);
  const nf = await rejectsWith(async () => z.unpublish(await signCompact(tomb({ name: 'nobody' }), await key())), 'NOT_FOUND', 'nobody');
  assert.is(nf.status, 404);
  await rejectsWith(async () => z.unpublish(await signCompact(tomb({ deleted: false }), await key())), 'SCHEMA_VIOLATION', '/deleted');
  await rejectsWith(async () => z.unpublish(await signCompact(manifest(), await key())), 'SCHEMA_VIOLATION');
  await rejectsWith(async () => z.unpublish(await signCompact(tomb(), await key()), 'other-agent'), 'BAD_REQUEST', 'other-agent');
  const [h, , s] = (await signCompact(tomb(), await key())).split('.');
  await rejectsWith(() => z.unpublish(`${h}.${b64(tomb({ version: '1.2.1' }))}.${s}`), 'BAD_SIGNATURE');
  assert.is(z.records.size, 1);
});

test.run();

// One suite, run against the memory store and the durable store: both must behave the same.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverLocal } from '../../src/discover/local.js';
import { StewardError } from '../../src/errors/index.js';
import { ZoneStore, type ChangeEntry } from '../../src/store/zone-store.js';
import { makeRecord, plain, tempDir, ZONE } from './fixtures.js';

interface Ctx { store: ZoneStore; cleanup(): Promise<void> }

const kinds: Record<string, () => Promise<Ctx>> = {
  memory: async () => {
    const store = await ZoneStore.open({ zone: ZONE });
    return { store, cleanup: () => store.close() };
  },
  disk: async () => {
    const tmp = await tempDir();
    const store = await ZoneStore.open({ zone: ZONE, dir: tmp.dir });
    return { store, cleanup: async () => { await store.close(); await tmp.cleanup(); } };
  },
};

const names = (store: ZoneStore, q: string) => discoverLocal(store, { q, sort: 'name' }).map((r) => r.name);

for (const [kind, make] of Object.entries(kinds)) {
  const test = suite<{ ctx: Ctx }>(`zone store (${kind})`, {} as { ctx: Ctx });
  test.before.each(async (c) => { c.ctx = await make(); });
  test.after.each(async (c) => { await c.ctx.cleanup(); });

  test('put then get returns an equal record; unknown names are undefined', async ({ ctx: { store } }) => {
    const rec = makeRecord('acme-planning-bot', { tags: ['stable'] });
    const entry = await store.put(rec);
    assert.is(entry.seq, 1);
    assert.is(entry.op, 'put');
    assert.equal(plain(store.get('acme-planning-bot')), plain(rec));
    assert.equal(plain(store.get('ACME-Planning-Bot')), plain(rec), 'labels are case-insensitive');
    assert.is(store.get('nobody'), undefined);
    assert.is(store.size, 1);
    assert.is(store.serial, 1);
  });

  test('records that do not fit the compact form round-trip too', async ({ ctx: { store } }) => {
    const odd = [
      { ...makeRecord('odd-digest'), digest: 'md5:abc' },
      { ...makeRecord('odd-date'), published_at: 'yesterday' },
      { ...makeRecord('odd-manifest'), description: 'differs from the signed payload' },
      { ...makeRecord('odd-jws'), jws: 'not-a-jws' },
      { ...makeRecord('odd-extra'), registry: 'elsewhere', fingerprint: 'someone-else' },
      makeRecord('unicode-desc', { description: 'Plant und führt Läufe aus — 计划' }),
    ];
    for (const r of odd) await store.put(r);
    for (const r of odd) assert.equal(plain(store.get(r.name)), plain(r), r.name);
  });

  test('a replaced record updates the capability and keyword indexes', async ({ ctx: { store } }) => {
    await store.put(makeRecord('acme-code-generator', { capabilities: ['code_generation'], description: 'Writes code' }));
    assert.equal(names(store, 'code_generation'), ['acme-code-generator']);
    assert.equal(names(store, 'writes'), ['acme-code-generator']);
    await store.put(makeRecord('acme-code-generator', { version: '1.1.0', capabilities: ['code_review'], description: 'Reviews code' }));
    assert.equal(names(store, 'code_generation'), []);
    assert.equal(names(store, 'writes'), []);
    assert.equal(names(store, 'code_review'), ['acme-code-generator']);
    assert.equal(names(store, 'reviews code'), ['acme-code-generator']);
    assert.is(store.get('acme-code-generator')!.version, '1.1.0');
    assert.is(store.size, 1);
  });

  test('remove deletes the record and its index entries', async ({ ctx: { store } }) => {
    await store.put(makeRecord('acme-sdlc-bot', { capabilities: ['orchestrate_sdlc'] }));
    await store.put(makeRecord('acme-other', { capabilities: ['orchestrate_sdlc'] }));
    const entry = await store.remove('acme-sdlc-bot');
    assert.is(entry?.op, 'delete');
    assert.is(entry?.record.name, 'acme-sdlc-bot');
    assert.is(store.get('acme-sdlc-bot'), undefined);
    assert.equal(names(store, 'orchestrate_sdlc'), ['acme-other']);
    assert.equal(names(store, 'bot'), [], 'the keyword from the name went too');
    assert.is(store.size, 1);
    assert.is(await store.remove('acme-sdlc-bot'), undefined, 'removing twice is a no-op');
    assert.is(await store.remove('never-there'), undefined);
    assert.equal([...store.labels()], ['acme-other']);
    // Re-publishing a deleted name works and is indexed again.
    await store.put(makeRecord('acme-sdlc-bot', { capabilities: ['orchestrate_sdlc'], version: '2.0.0' }));
    assert.equal(names(store, 'orchestrate_sdlc'), ['acme-other', 'acme-sdlc-bot']);
  });

  test('changesSince is the latest change per name in seq order, with tombstones, paged', async ({ ctx: { store } }) => {
    for (const n of ['a1', 'b2', 'c3', 'd4', 'e5']) await store.put(makeRecord(n)); // seqs 1..5
    await store.put(makeRecord('b2', { version: '1.1.0' })); // 6
    await store.remove('c3'); // 7
    const all = store.changesSince(0);
    assert.equal(all.entries.map((e) => [e.seq, e.op, e.record.name]), [
      [1, 'put', 'a1'], [4, 'put', 'd4'], [5, 'put', 'e5'], [6, 'put', 'b2'], [7, 'delete', 'c3'],
    ]);
    assert.is(all.entries[3]!.record.version, '1.1.0');
    assert.is(all.next, 7);
    assert.is(all.serial, 7);

    const paged: ChangeEntry[] = [];
    let since = 0;
    for (let pages = 0; pages < 10; pages++) {
      const page = store.changesSince(since, 2);
      paged.push(...page.entries);
      if (page.entries.length < 2) break;
      since = page.next;
    }
    assert.equal(paged.map((e) => e.seq), all.entries.map((e) => e.seq));

    assert.equal(store.changesSince(5).entries.map((e) => e.seq), [6, 7]);
    const none = store.changesSince(7);
    assert.equal(none.entries, []);
    assert.is(none.next, 7);
  });

  test('changesSince stays right after many replaces (superseded entries squeezed out)', async ({ ctx: { store } }) => {
    const latest = new Map<string, number>();
    for (let round = 0; round < 150; round++) {
      const batch = Array.from({ length: 20 }, (_, i) => store.put(makeRecord(`churn-${i}`, { version: `1.0.${round}` })));
      for (const e of await Promise.all(batch)) latest.set(e.record.name, e.seq);
    }
    const page = store.changesSince(0, 100);
    assert.equal(page.entries.map((e) => [e.record.name, e.seq]), [...latest].sort((a, b) => a[1] - b[1]));
    assert.is(page.entries[0]!.record.version, '1.0.149');
  });

  test('changesSince rejects bad paging arguments with BAD_REQUEST', ({ ctx: { store } }) => {
    for (const [since, limit] of [[-1, 10], [1.5, 10], [0, 0], [0, 1e9], [Number.NaN, 10]] as const) {
      try {
        store.changesSince(since, limit);
        assert.unreachable(`since=${since} limit=${limit}`);
      } catch (err) {
        assert.instance(err, StewardError);
        assert.is((err as StewardError).code, 'BAD_REQUEST');
      }
    }
  });

  test('onChange hears durable changes in order; unsubscribe stops it', async ({ ctx: { store } }) => {
    const heard: string[] = [];
    const off = store.onChange((e) => heard.push(`${e.seq}:${e.op}:${e.record.name}`));
    await Promise.all([store.put(makeRecord('x1')), store.put(makeRecord('x2')), store.put(makeRecord('x3'))]);
    await store.remove('x2');
    off();
    await store.put(makeRecord('x4'));
    assert.equal(heard, ['1:put:x1', '2:put:x2', '3:put:x3', '4:delete:x2']);
  });

  test('bad records are refused with a clear error and change nothing', async ({ ctx: { store } }) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...makeRecord('other-zone'), zone: 'elsewhere.steward-registry.org' }, 'BAD_REQUEST'],
      [{ ...makeRecord('Upper-Case'), name: 'Upper-Case' }, 'BAD_NAME'],
      [{ ...makeRecord('bad--'), name: 'bad-' }, 'BAD_NAME'],
      [{ ...makeRecord('trusty'), trust: 7 }, 'BAD_REQUEST'],
      [{ ...makeRecord('capless'), capabilities: 'planning' }, 'BAD_REQUEST'],
    ];
    for (const [rec, code] of cases) {
      try {
        await store.put(rec as never);
        assert.unreachable(String(rec.name));
      } catch (err) {
        assert.instance(err, StewardError);
        assert.is((err as StewardError).code, code, String(rec.name));
      }
    }
    assert.is(store.size, 0);
    assert.is(store.serial, 0);
  });

  test('returned records are frozen, so a caller cannot change the stored copy', async ({ ctx: { store } }) => {
    await store.put(makeRecord('frozen-one'));
    const r = store.get('frozen-one')!;
    assert.throws(() => { (r as { version: string }).version = '9.9.9'; });
    assert.throws(() => { r.capabilities.push('x'); });
    assert.is(store.get('frozen-one')!.version, '1.0.0');
  });

  test.run();
}

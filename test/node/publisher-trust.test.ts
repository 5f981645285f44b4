// The node's publisher gives preparePublish the time the holding key first published a
// name, across any number of versions, so continuity grows with time and not with bumps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics } from '../../src/metrics/index.js';
import { Publisher } from '../../src/node/publisher.js';
import { signCompact } from '../../src/records/keys.js';
import { ZoneStore } from '../../src/store/zone-store.js';
import { Delegations } from '../../src/topology/delegations.js';
import { key, manifest } from '../records/fixtures.js';
import { testZone } from '../helpers/node.js';

const DAY = 86_400_000;

test('continuity counts from the first version by this key, however many versions came since', async () => {
  const config = testZone('vibe-agency.com');
  const store = await ZoneStore.open({ zone: config.zone });
  let now = Date.parse('2025-01-01T00:00:00Z');
  const publisher = new Publisher(config, store, createMetrics(), 'r1', await Delegations.open({ zone: config.zone }), undefined, () => new Date(now));
  const k = await key('EdDSA', 7);
  const publish = async (version: string) => (await publisher.publish(await signCompact(manifest({ name: 'steady-agent', version }), k))).trust;
  try {
    assert.is(await publish('1.0.0'), 0.5);
    now += 10 * DAY;
    // held 10 days, key 10 days old: 0.5 + 0.15 * 10/30 + 0.10 * 10/90
    assert.is(await publish('1.0.1'), 0.56);
    now += 1000;
    assert.is(await publish('1.0.2'), 0.56); // a bump a second later adds nothing
    now += 20 * DAY;
    // held 30 days since 1.0.0 (not 20 since 1.0.2): full continuity, key age 30/90
    assert.is(await publish('1.1.0'), 0.68);
    // an unpublish ends the hold; publishing the name again starts a new one
    await publisher.unpublish('steady-agent', await signCompact({ name: 'steady-agent', namespace: 'vibe-agency.com', deleted: true, version: '1.1.0' }, k));
    now += DAY;
    assert.is(await publish('2.0.0'), 0.53); // continuity 0, key age 0.10 * 31/90
  } finally {
    await store.close();
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { canonicalJson, manifestDigest } from '../../src/records/digest.js';
import { computeTrust, type TrustSignals } from '../../src/records/trust.js';
import { manifest } from './fixtures.js';

test('digest is sha256 over RFC 8785 canonical JSON, independent of key order', () => {
  const m = manifest();
  const shuffled = Object.fromEntries(Object.entries(m).reverse()) as typeof m;
  assert.is(manifestDigest(m), manifestDigest(shuffled));
  assert.match(manifestDigest(m), /^sha256:[0-9a-f]{64}$/);
  const canon = canonicalJson({ b: 1, a: [1.0, 'é', { d: true, c: null }] });
  assert.is(canon, '{"a":[1,"é",{"c":null,"d":true}],"b":1}');
  const small = { name: 'a', version: '1.0.0', capabilities: ['x'], endpoints: [{ url: 'https://a', protocol: 'p' }], visibility: 'public' } as const;
  const expected = createHash('sha256')
    .update('{"capabilities":["x"],"endpoints":[{"protocol":"p","url":"https://a"}],"name":"a","version":"1.0.0","visibility":"public"}')
    .digest('hex');
  assert.is(manifestDigest(small as any), `sha256:${expected}`);
  assert.is.not(manifestDigest(m), manifestDigest(manifest({ version: '1.2.1' })));
});

const base: TrustSignals = {
  signatureVerified: true, nameHeldDays: 0, allEndpointsHttps: false,
  hasDescription: false, verifiedPublisher: false, keyAgeDays: 0,
};

test('trust: unverified is 0; each signal adds its documented weight', () => {
  assert.is(computeTrust({ ...base, signatureVerified: false, verifiedPublisher: true }), 0);
  assert.is(computeTrust(base), 0.3);
  assert.is(computeTrust({ ...base, allEndpointsHttps: true, hasDescription: true }), 0.5);
  assert.is(computeTrust({ ...base, verifiedPublisher: true }), 0.55);
  assert.is(computeTrust({ ...base, nameHeldDays: 10 }), 0.35); // continuity: a third of 30 days
  assert.is(computeTrust({ ...base, nameHeldDays: 300 }), 0.45);
  assert.is(computeTrust({ ...base, nameHeldDays: 1 / 86_400 }), 0.3); // held for a second: nothing
  assert.is(computeTrust({ ...base, keyAgeDays: 45 }), 0.35);
  assert.is(computeTrust({ ...base, keyAgeDays: Number.NaN, nameHeldDays: -4 }), 0.3);
  const all = { signatureVerified: true, nameHeldDays: 30, allEndpointsHttps: true, hasDescription: true, verifiedPublisher: true, keyAgeDays: 90 };
  assert.is(computeTrust(all), 1);
  assert.is(computeTrust({ ...all, keyAgeDays: 1000, nameHeldDays: 999 }), 1);
  const v = computeTrust({ ...base, keyAgeDays: 10 });
  assert.is(v, Math.round(v * 100) / 100);
});

test.run();

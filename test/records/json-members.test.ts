// A signed payload or header must read one way only: a member name twice in one object
// is refused, wherever it is and however it is escaped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { duplicateMember } from '../../src/records/json-members.js';
import { verifyCompactJws } from '../../src/records/jws.js';
import { signCompact } from '../../src/records/keys.js';
import { b64, key, manifest, rejectsWith, signRaw } from './fixtures.js';

test('duplicateMember finds a repeated name in any object, after unescaping', () => {
  const cases: Array<[string, string | undefined]> = [
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', 'a'],
    ['{ "a" : 1 ,\n "a"\t: 2 }', 'a'],
    ['{"a":{"b":1},"c":{"b":2}}', undefined], // same name in sibling objects is fine
    ['{"a":[{"b":1,"b":2}]}', 'b'],
    ['[{"x":1},{"x":1}]', undefined],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['{"\\"":1,"\\"":2}', '"'],
    ['{"a":"\\\\","a":1}', 'a'],
    ['{"k":"a\\":b","a":1}', undefined], // a quote and a colon inside a value
    ['{"k":["a","a"],"v":"a"}', undefined], // repeated values are not names
    ['{"a":{"a":{"a":1}}}', undefined],
    ['"just a string"', undefined],
    ['{"é":1,"\\u00e9":2}', 'é'],
    ['{}', undefined],
  ];
  for (const [text, want] of cases) {
    JSON.parse(text); // every case is valid JSON
    assert.is(duplicateMember(text), want, text);
  }
});

test('a signed payload with a member name twice is BAD_JWS naming it', async () => {
  const k = await key('EdDSA');
  const good = JSON.stringify(manifest());
  const twice = good.replace('"version":"1.2.0"', '"version":"1.2.0","version":"9.0.0"');
  await rejectsWith(async () => verifyCompactJws(await signRaw({ alg: 'EdDSA', jwk: k.publicJwk }, twice, k)), 'BAD_JWS', 'payload', '"version" twice');
  const nested = good.replace('"protocol":"a2a"', '"protocol":"a2a","protocol":"http"');
  await rejectsWith(async () => verifyCompactJws(await signRaw({ alg: 'EdDSA', jwk: k.publicJwk }, nested, k)), 'BAD_JWS', '"protocol" twice');
  const escaped = good.replace('"namespace":"vibe-agency.com"', '"namespace":"vibe-agency.com","n\\u0061mespace":"acme-corp.com"');
  await rejectsWith(async () => verifyCompactJws(await signRaw({ alg: 'EdDSA', jwk: k.publicJwk }, escaped, k)), 'BAD_JWS', '"namespace" twice');
  assert.ok(await verifyCompactJws(await signRaw({ alg: 'EdDSA', jwk: k.publicJwk }, good, k)));
});

test('a protected header with a member name twice is BAD_JWS, before any crypto', async () => {
  const k = await key('ES256');
  const jwk = JSON.stringify(k.publicJwk);
  const header = `{"alg":"ES256","jwk":${jwk},"alg":"ES256"}`;
  await rejectsWith(() => verifyCompactJws(`${b64(header)}.${b64(manifest())}.${b64('x')}`), 'BAD_JWS', 'protected header', '"alg" twice');
  const inJwk = `{"alg":"ES256","jwk":${jwk.replace('"kty":"EC"', '"kty":"EC","x":"AAAA"')}}`;
  await rejectsWith(() => verifyCompactJws(`${b64(inJwk)}.${b64(manifest())}.${b64('x')}`), 'BAD_JWS', '"x" twice');
  // an ordinary signed manifest still verifies
  assert.is((await verifyCompactJws(await signCompact(manifest(), k))).fingerprint, k.fingerprint);
});

test.run();

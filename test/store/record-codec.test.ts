// The compact in-memory form of a record: a manifest that names its namespace (SPEC §2)
// still takes the compact path, and every record decodes to exactly what went in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RecordCodec } from '../../src/store/record-codec.js';
import { makeRecord, NAMESPACE, plain, signManifest, ZONE } from './fixtures.js';

test('a record whose signed manifest names its namespace is kept compact, and decodes equal', () => {
  const codec = new RecordCodec(ZONE);
  const rec = makeRecord('compact-agent');
  assert.is(JSON.parse(Buffer.from(rec.jws.split('.')[1]!, 'base64url').toString()).namespace, NAMESPACE);
  const b = codec.encode(rec);
  assert.is(b[0], 1, 'compact form');
  assert.equal(plain(codec.decode(Buffer.from(b))), plain(rec));
});

test('records from before namespaces were signed stay compact; a mismatch is kept whole', () => {
  const codec = new RecordCodec(ZONE);
  const legacy = makeRecord('legacy-agent');
  const fields = { name: legacy.name, version: legacy.version, description: legacy.description, capabilities: legacy.capabilities, endpoints: legacy.endpoints, visibility: legacy.visibility };
  const old = { ...legacy, jws: signManifest(fields) };
  assert.is(codec.encode(old)[0], 1);
  assert.equal(plain(codec.decode(Buffer.from(codec.encode(old)))), plain(old));
  const odd = { ...legacy, jws: signManifest({ ...fields, namespace: 'elsewhere.example' }) };
  const b = codec.encode(odd);
  assert.is(b[0], 0, 'whole-record form');
  assert.equal(plain(codec.decode(Buffer.from(b))), plain(odd));
});

test.run();

// The hand-written DER walk (src/pki/parse.ts) reads the same fields as the asn1-x509
// schema parser on every certificate the differential cases use, and refuses
// truncated or corrupted DER with BAD_CERTIFICATE rather than throwing anything else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StewardError } from '../../src/errors/index.js';
import { parseCertificate } from '../../src/pki/parse.js';
import { buildCases } from './cases.js';
import { makePki } from './fixtures.js';
import { referenceParse } from './reference-parse.js';

const fields = (p: ReturnType<typeof parseCertificate>) => {
  const { der: _d, native: _n, publicKey: _k, ...rest } = p;
  return JSON.parse(JSON.stringify(rest)) as unknown; // absent and undefined alike
};

test('same fields as the schema parser on every case certificate', async () => {
  const pki = await makePki(['p256', 'p256', 'p256', 'p256']);
  const certs = new Map<string, Uint8Array>();
  for (const c of await buildCases(pki)) for (const d of [c.cert, ...c.chain]) certs.set(Buffer.from(d).toString('base64'), d);
  assert.ok(certs.size > 30);
  for (const d of certs.values()) {
    let ref: ReturnType<typeof referenceParse> | undefined;
    try {
      ref = referenceParse(d);
    } catch {
      ref = undefined; // e.g. the tampered signature still parses in both; nothing else should fail
    }
    assert.ok(ref, 'reference parses');
    assert.equal(fields(parseCertificate(d)), fields(ref!));
  }
});

test('truncated and corrupted DER is BAD_CERTIFICATE', async () => {
  const pki = await makePki(['p256', 'p256', 'p256', 'p256']);
  const der = pki.acme.der;
  let seed = 7;
  const rnd = (k: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % k;
  const inputs: Uint8Array[] = [new Uint8Array(0), der.subarray(0, 10), der.subarray(0, der.length - 1), new Uint8Array([...der, 0])];
  for (let i = 0; i < 300; i++) {
    const m = new Uint8Array(der);
    m[rnd(200)] = rnd(256); // the header and the first fields, where structure lives
    inputs.push(m);
  }
  for (const m of inputs) {
    try {
      parseCertificate(m);
    } catch (err) {
      assert.instance(err, StewardError);
      assert.is((err as StewardError).code, 'BAD_CERTIFICATE');
    }
  }
});

test.run();

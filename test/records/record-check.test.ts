// The hand-written record check (src/records/record-check.ts) against its definition, the
// ajv-compiled record schema: over a valid record and thousands of mutations of it (each
// field missing, of the wrong type, at and past every bound, off every pattern and
// format, in pairs), both must give the same verdict. recordFromPeer (what the resolver
// calls) must agree too, and must name the field it refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ValidateFunction } from 'ajv';
import { StewardError } from '../../src/errors/index.js';
import { recordProblem } from '../../src/records/record-check.js';
import { recordFromPeer, recordSchema } from '../../src/records/record-schema.js';
import { ajv } from '../../src/records/schema.js';
import { manifest } from './fixtures.js';

const oracle: ValidateFunction = (ajv.getSchema(recordSchema.$id) as ValidateFunction | undefined) ?? ajv.compile(recordSchema);

const JWS = `${'eyJhbGciOiJFUzI1NiJ9'}.${'e'.repeat(1200)}.${'s'.repeat(86)}`;

function valid(): Record<string, unknown> {
  return {
    ...manifest(),
    id: 'vibe-agency-orchestrator.vibe-agency.com.steward.local',
    zone: 'vibe-agency.com.steward.local',
    fingerprint: 'A'.repeat(43),
    digest: `sha256:${'ab'.repeat(32)}`,
    jws: JWS,
    published_at: '2026-12-01T10:00:00.123Z',
    trust: 0.5,
    vector_clock: { 'vibe-agency.com/node-1': 3 },
  };
}

const MISSING = Symbol('missing');
const astral = '\u{1F600}'; // one code point, two UTF-16 units
const lone = '\uD800';
const anyType = [null, true, 0, 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '', 'x', [], ['x'], {}, { a: 1 }, MISSING];
const strings = (max: number, ok = 'a') => [ok.repeat(max), ok.repeat(max + 1), astral.repeat(max), astral.repeat(max + 1), `${astral.repeat(max - 1)}a`, lone, `${lone}${'a'.repeat(max)}`];
const token = ['a', 'a'.repeat(64), 'a'.repeat(65), 'A', 'a b', 'a_b.c-d', 'é', '', astral];

const CASES: Record<string, unknown[]> = {
  name: [...anyType, ...strings(63), 'a', 'a-b', '-a', 'a-', 'xn--abc', 'ab--cd', 'A', 'a.b', 'a_b', '1abc', 'é'],
  namespace: [...anyType, ...strings(253), 'x.y', 'Upper', 'has space', '.'],
  version: [...anyType, '1.2.0', '1.2', 'v1.2.0', '=1.2.0', ' 1.2.0', '2.0.0-rc.1+build.5', '1.2.0-', '01.2.0', `1.2.0-${'a'.repeat(250)}`, `1.2.0-${'a'.repeat(251)}`],
  description: [...anyType, ...strings(1024)],
  capabilities: [...anyType, [], ['a', 'a'], ['a', 'b'], Array.from({ length: 64 }, (_, i) => `c${i}`), Array.from({ length: 65 }, (_, i) => `c${i}`), ...token.map((t) => [t]), [1], [null], [['a']]],
  tags: [...anyType, [], ['a', 'a'], Array.from({ length: 32 }, (_, i) => `t${i}`), Array.from({ length: 33 }, (_, i) => `t${i}`), ...token.map((t) => [t]), [1]],
  visibility: [...anyType, 'public', 'internal', 'Public', 'private'],
  endpoints: [
    ...anyType,
    [1], [null], [[]], [{}],
    [{ url: 'http://x.example', protocol: 'http' }],
    [{ url: 'http://x.example' }], [{ protocol: 'http' }],
    Array.from({ length: 16 }, (_, i) => ({ url: `http://h${i}.example`, protocol: 'a2a' })),
    Array.from({ length: 17 }, (_, i) => ({ url: `http://h${i}.example`, protocol: 'a2a' })),
    ...['ftp://x.example', 'http://', 'http://user@x.example', 'http://x.example/a b', 'https://x.example:8443/p?q#f', 'http://[::1]:80/', 'http://x.example\n', 'http:x.example', 'HTTP://x.example', 'http://x.example/%zz', 'http://x.example/é', `http://x.example/${'a'.repeat(2030)}`, `http://x.example/${'a'.repeat(2031)}`, 'http://x.example/<>', 'http://x.example#a#b', 1, null]
      .map((url) => [{ url, protocol: 'a2a' }]),
    ...['a2a', 'http', 'A2A', '-x', 'x'.repeat(32), 'x'.repeat(33), 'a+b', '', 1].map((protocol) => [{ url: 'http://x.example', protocol }]),
    ...[...token, 1, null].map((region) => [{ url: 'http://x.example', protocol: 'a2a', region }]),
  ],
  id: [...anyType, ...strings(253)],
  zone: [...anyType, ...strings(253)],
  fingerprint: [...anyType, 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}=`, `${'a_-'.repeat(14)}Z`, `${'A'.repeat(42)}\n`],
  digest: [...anyType, `sha256:${'a'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, `sha512:${'a'.repeat(64)}`, `sha256:${'0'.repeat(64)}`],
  jws: [...anyType, 'a.b.c', 'a.b', 'a.b.c.d', 'a..c', `a.b.${'c'.repeat(64 * 1024 - 4)}`, `a.b.${'c'.repeat(64 * 1024 - 3)}`, 'a.b.c=', 'a.b.c\n'],
  published_at: [...anyType, '2026-12-01T10:00:00Z', '2026-12-01T10:00:00+01:00', '2026-12-01T10:00:00.123456789Z', '2026-12-01T10:00:00.1234567890Z', '2026-12-01 10:00:00Z', '2026-12-01T10:00:00', `2026-12-01T10:00:00.${'1'.repeat(9)}+01:00`, '٢٠٢٦-12-01T10:00:00Z'],
  trust: [...anyType, 0, 1, 0.999, -0, 1.0000001, -0.0001, '0.5'],
  vector_clock: [
    ...anyType,
    { a: 0 }, { a: -1 }, { a: 1.5 }, { a: '1' }, { a: null }, { a: Number.MAX_SAFE_INTEGER }, { a: Number.MAX_SAFE_INTEGER + 2 }, { a: Number.NaN }, { a: Number.POSITIVE_INFINITY },
    { ['k'.repeat(256)]: 1 }, { ['k'.repeat(257)]: 1 }, { [astral.repeat(256)]: 1 }, { [astral.repeat(257)]: 1 }, { '': 1 },
    Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`r${i}`, i])), Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`r${i}`, i])),
    JSON.parse('{"__proto__": 1}'), JSON.parse('{"__proto__": -1}'),
  ],
};

function withField(base: Record<string, unknown>, field: string, value: unknown) {
  const r = { ...base };
  if (value === MISSING) delete r[field];
  else r[field] = value;
  return r;
}

function corpus(): Record<string, unknown>[] {
  const out = [valid()];
  const fields = Object.keys(CASES);
  for (const f of fields) for (const v of CASES[f]!) out.push(withField(valid(), f, v));
  // Pairs: a valid-but-boundary value in one field with each value of another, so a check
  // that stops early (or too late) on the first field shows.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let i = 0; i < 3000; i++) {
    const a = fields[rand(fields.length)]!;
    const b = fields[rand(fields.length)]!;
    out.push(withField(withField(valid(), a, CASES[a]![rand(CASES[a]!.length)]), b, CASES[b]![rand(CASES[b]!.length)]));
  }
  return out;
}

test('the hand-written record check gives ajv\'s verdict on every record of the corpus', () => {
  let accepted = 0;
  let refused = 0;
  for (const r of corpus()) {
    const want = oracle(r);
    const problem = recordProblem(r);
    assert.is(problem === undefined, want, `${JSON.stringify(r).slice(0, 600)}: ajv says ${want ? 'valid' : JSON.stringify(oracle.errors?.[0])}, ours ${problem ?? 'valid'}`);
    if (want) accepted++;
    else refused++;
  }
  // (the corpus exercises both sides, not only refusals)
  assert.ok(accepted > 100 && refused > 1000, `accepted ${accepted}, refused ${refused}`);
});

test('recordFromPeer keeps the verdict, drops unknown fields first and names the field it refuses', () => {
  const extra = { ...valid(), evil: 1, endpoints: [{ url: 'http://x.example', protocol: 'a2a', evil: 2 }] };
  const r = recordFromPeer(extra) as unknown as Record<string, unknown>;
  assert.not.ok('evil' in r);
  assert.not.ok('evil' in (r.endpoints as Record<string, unknown>[])[0]!);
  for (const [field, value, fragment] of [
    ['trust', 2, '/trust'],
    ['name', 'Bad', '/name'],
    ['endpoints', [{ url: 'ftp://x', protocol: 'a2a' }], '/endpoints/0/url'],
    ['vector_clock', { a: -1 }, '/vector_clock/a'],
    ['jws', MISSING, "'jws'"],
  ] as const) {
    try {
      recordFromPeer(withField(valid(), field, value));
      assert.unreachable(`${field} accepted`);
    } catch (err) {
      assert.instance(err, StewardError);
      assert.is((err as StewardError).code, 'SCHEMA_VIOLATION');
      assert.ok((err as Error).message.includes(fragment), (err as Error).message);
    }
  }
});

test.run();

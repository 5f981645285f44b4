// The kept answer bytes are reused only for an answer that is field-for-field the same;
// anything that differs (TTL, path, source, the record object, an extra field) is rendered
// afresh, and the bytes are always those of JSON.stringify(answer).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { answerRenderer } from '../../src/http/answer-body.js';
import type { NoErrorAnswer, ResolveResult } from '../../src/resolver/types.js';

const record = (over: Record<string, unknown> = {}) => ({ id: 'a.z.root', name: 'a', version: '1.0.0', jws: 'x'.repeat(900), ...over }) as unknown as NoErrorAnswer['answer'];
const path = ['z.root'];
const hit = (over: Partial<NoErrorAnswer> = {}, rec = REC): ResolveResult =>
  ({ status: 'NOERROR', name: 'a.z.root', answer: rec, ttl: 300, source: 'cache', zone: 'z.root', path, ...over }) as ResolveResult;
const REC = record();

const bytes = (b: Buffer) => b.toString('utf8');

test('the same answer twice: the same bytes object, equal to JSON.stringify', () => {
  const render = answerRenderer();
  const a = render(hit());
  const b = render(hit());
  assert.ok(a === b, 'reused');
  assert.is(bytes(a), JSON.stringify(hit()));
});

test('a different TTL, path, source or zone is rendered again', () => {
  const render = answerRenderer();
  const first = render(hit());
  for (const over of [{ ttl: 299 }, { path: ['other.root', 'z.root'] }, { source: 'stale' as const }, { zone: 'y.root' }]) {
    const out = render(hit(over));
    assert.ok(out !== first, JSON.stringify(over));
    assert.is(bytes(out), JSON.stringify(hit(over)));
  }
  assert.is(bytes(render(hit({ path: ['z.root'] }))), JSON.stringify(hit()), 'an equal path in a new array is the same answer');
});

test('a record read afresh (another object) is rendered again, even when equal', () => {
  const render = answerRenderer();
  const first = render(hit());
  const again = render(hit({}, record()));
  assert.ok(first !== again);
  assert.is(bytes(again), bytes(first));
  const changed = render(hit({}, record({ version: '2.0.0' })));
  assert.match(bytes(changed), /"version":"2.0.0"/);
});

test('extra fields and traces are never served from a stale rendering', () => {
  const render = answerRenderer();
  render(hit());
  const extra = { ...hit(), note: 'x' } as unknown as ResolveResult;
  assert.is(bytes(render(extra)), JSON.stringify(extra));
  const traced = { ...hit(), trace: [{ kind: 'cache', zone: 'z.root', outcome: 'NOERROR' }] } as ResolveResult;
  assert.ok(render(traced) !== render(traced), 'traces are rendered every time');
  assert.is(bytes(render(traced)), JSON.stringify(traced));
});

test('NXDOMAIN and other names are kept apart; the keeper is bounded', () => {
  const render = answerRenderer(2);
  const nx: ResolveResult = { status: 'NXDOMAIN', name: 'b.z.root', zone: 'z.root', ttl: 60, source: 'cache', path };
  assert.is(bytes(render(nx)), JSON.stringify(nx));
  assert.is(bytes(render(hit())), JSON.stringify(hit()));
  assert.ok(render(nx) === render(nx));
  const names = ['c', 'd', 'e'].map((n) => hit({ name: `${n}.z.root` }));
  for (const a of names) assert.is(bytes(render(a)), JSON.stringify(a));
});

test.run();

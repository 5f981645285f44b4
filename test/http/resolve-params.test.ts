// resolveParams() reads name, rd and trace in one pass when there is nothing to decode:
// it must read exactly what hono's c.req.query(key) reads (getQueryParam), on the
// absolute URL hono sees and on the bare request target the fast path passes.
import { getQueryParam } from 'hono/utils/url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveParams } from '../../src/http/resolve-reply.js';

const KEYS = ['name', 'rd', 'trace'] as const;

function check(target: string) {
  for (const url of [target, `http://127.0.0.1:8080${target}`]) {
    const got = resolveParams(url);
    for (const key of KEYS) assert.is(got[key], getQueryParam(url, key) as string | undefined, `${key} of ${JSON.stringify(url)}`);
  }
}

test('hand-picked queries', () => {
  for (const target of [
    '/v1/resolve',
    '/v1/resolve?',
    '/v1/resolve?name=a',
    '/v1/resolve?name=',
    '/v1/resolve?name',
    '/v1/resolve?name&rd=0',
    '/v1/resolve?name=a&name=b',
    '/v1/resolve?rd=0&name=a&trace=1',
    '/v1/resolve?names=a&name=b',
    '/v1/resolve?xname=a',
    '/v1/resolve?name=a=b&rd==0',
    '/v1/resolve?&&name=a&&',
    '/v1/resolve?=a&name=b',
    '/v1/resolve?name=a?rd=0',
    '/v1/resolve?rd=1&rd=0&trace&trace=1',
    '/v1/resolve?name=a%2Db',
    '/v1/resolve?name=a+b',
    '/v1/resolve?na%6De=a',
    '/v1/resolve?name=a#rd=0',
    '/v1/resolve?name=%zz',
  ]) check(target);
});

test('random queries from an alphabet that makes keys, values and separators collide', () => {
  const pieces = ['name', 'rd', 'trace', 'nam', 'e', '=', '=', '&', '&', 'a', '0', '1', '?', '.', '-', '%2D', '+', '#', '%'];
  let x = 7;
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  for (let i = 0; i < 5_000; i++) {
    let q = '';
    const len = 1 + next(12);
    for (let j = 0; j < len; j++) q += pieces[next(i % 2 ? pieces.length - 5 : pieces.length)];
    check(`/v1/resolve?${q}`);
  }
});

test.run();

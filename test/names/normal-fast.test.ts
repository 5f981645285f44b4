// normalizeName returns already-normal names after one regex (or none, for the name it
// last found normal); this checks that the shortcuts change no answer: for random and edge-case inputs, the result (or the error
// message) is the one of the full algorithm as it stood before the shortcut (copied here).
import { domainToASCII } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { labelProblem, MAX_NAME, normalizeName } from '../../src/names/index.js';

function reference(input: string): string {
  const bad = (why: string): never => {
    const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input;
    throw new Error(`invalid name ${JSON.stringify(shown)}: ${why}`);
  };
  if (input.length === 0) return bad('the name is empty');
  if (input.length > 4 * MAX_NAME) return bad(`the name is longer than ${MAX_NAME} octets`);
  let name = input.endsWith('.') ? input.slice(0, -1) : input;
  if (name.length === 0) return bad('the name is only a dot');
  if (!/^[\x00-\x7f]*$/.test(name)) {
    const ascii = domainToASCII(name);
    if (!ascii) return bad('non-ASCII characters that do not map to a valid IDNA A-label (UTS #46)');
    name = ascii;
  }
  name = name.toLowerCase();
  if (name.length > MAX_NAME) return bad(`the name is ${name.length} octets; at most ${MAX_NAME}`);
  for (const label of name.split('.')) {
    const problem = labelProblem(label);
    if (problem) return bad(problem);
  }
  return name;
}

const outcome = (f: () => string) => {
  try {
    return f();
  } catch (err) {
    return `ERR ${(err as Error).message}`;
  }
};

function check(input: string) {
  const expected = outcome(() => reference(input));
  // Twice: the second call may be answered by the remembered last normal name.
  assert.is(outcome(() => normalizeName(input)), expected, JSON.stringify(input));
  assert.is(outcome(() => normalizeName(input)), expected, `${JSON.stringify(input)} again`);
  assert.is(outcome(() => normalizeName(input.toUpperCase())), outcome(() => reference(input.toUpperCase())), `${JSON.stringify(input)} upper-cased`);
}

test('edge cases agree with the full algorithm', () => {
  const l63 = 'a'.repeat(63);
  const cases = [
    'a', 'a.b', 'a-b.c', '0', '9-9', 'a--b', '-a', 'a-', 'a.-b', 'a.b-', 'a..b', '.a', 'a.', 'A.b', 'ab_c',
    l63, `${l63}a`, `${l63}.${l63}.${l63}.${'a'.repeat(61)}`, `${l63}.${l63}.${l63}.${'a'.repeat(62)}`,
    `${'a.'.repeat(126)}a`, `${'a.'.repeat(127)}a`, 'xn--bcher-kva.example', 'xn--zz', 'a.xn--zz', 'xn-a', 'axn--b',
    'claude-architect.anthropic.org.steward-registry.org', 'bücher.example', 'a b', 'a\tb',
  ];
  for (const c of cases) check(c);
});

test('random names agree with the full algorithm', () => {
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-------....Aü_';
  for (let i = 0; i < 20_000; i++) {
    const len = 1 + rnd(i % 100 === 0 ? 300 : 40);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[rnd(alphabet.length)];
    if (rnd(10) === 0) s = `xn--${s}`;
    check(s);
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StewardError } from '../../src/errors/index.js';
import { childLabel, isWithin, normalizeLabel, normalizeName, qualify } from '../../src/names/index.js';

const R = 'steward-registry.org';
const opts = { rootDomain: R, localZone: `vibe-agency.com.${R}` };

function rejects(input: unknown, fragment: string) {
  try {
    normalizeName(input);
  } catch (err) {
    assert.instance(err, StewardError);
    assert.is((err as StewardError).code, 'BAD_NAME');
    assert.is((err as StewardError).status, 400);
    assert.ok((err as Error).message.includes(fragment), `"${(err as Error).message}" should mention "${fragment}"`);
    return;
  }
  assert.unreachable(`${JSON.stringify(input)} was accepted`);
}

test('case-insensitive, trailing dot accepted, stored lowercase', () => {
  assert.is(normalizeName('Vibe-Agency-Orchestrator.VIBE-AGENCY.com.steward-registry.org.'), `vibe-agency-orchestrator.vibe-agency.com.${R}`);
});

test('label rules: charset, hyphens, length, empty labels', () => {
  rejects('-abc', 'hyphen');
  rejects('abc-', 'hyphen');
  rejects('a_b', '"_"');
  rejects('a..b', 'empty label');
  rejects('a'.repeat(64), 'at most 63');
  normalizeName('a'.repeat(63));
  rejects(`${'a'.repeat(60)}.`.repeat(5), 'at most 253');
  rejects('', 'empty');
  rejects('.', 'only a dot');
  rejects(42, 'string');
});

test('IDNA: non-ASCII maps to an A-label, invalid input is refused', () => {
  assert.is(normalizeName('bücher.example'), 'xn--bcher-kva.example');
  assert.is(normalizeName('ＡＢＣ'), 'abc'); // UTS #46 width mapping
  rejects('a b', '" "');
  rejects('xn--zz', 'A-label');
  rejects('\u{1F600}\u0000', 'IDNA');
});

test('short forms: one label is local, dotted names get the root domain', () => {
  assert.is(qualify('vibe-agency-coder', opts), `vibe-agency-coder.vibe-agency.com.${R}`);
  assert.is(qualify('gpt-planner.openai.org', opts), `gpt-planner.openai.org.${R}`);
  assert.is(qualify(`claude-architect.anthropic.org.${R}.`, opts), `claude-architect.anthropic.org.${R}`);
  assert.is(qualify(R, opts), R);
});

test('agent names are single labels', () => {
  assert.is(normalizeLabel('Gpt-Planner'), 'gpt-planner');
  assert.throws(() => normalizeLabel('a.b'), /single label/);
});

test('childLabel finds the label directly below a zone', () => {
  assert.is(childLabel(`x.vibe-agency.com.${R}`, `com.${R}`), 'vibe-agency');
  assert.is(childLabel(`com.${R}`, `com.${R}`), undefined);
});

test('isWithin: the zone itself or a name below it, on a label boundary', () => {
  const cases: [string, string, boolean][] = [
    [R, R, true],
    [`com.${R}`, R, true],
    [`a.b.com.${R}`, `com.${R}`, true],
    [`xcom.${R}`, `com.${R}`, false],
    [`com.${R}`, `a.com.${R}`, false],
    ['org', R, false],
    [`.${R}`, R, true],
    ['a.', '', true],
    ['a', '', false],
  ];
  for (const [name, zone, within] of cases) {
    assert.is(isWithin(name, zone), within, `${name} in ${zone}`);
    assert.is(isWithin(name, zone), name === zone || name.endsWith(`.${zone}`), `${name} in ${zone}: as before`);
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { domainToASCII } from 'node:url';
import { ConfusableIndex, SHORT_NAME_MAX, skeleton, withinOneEdit } from '../../src/records/confusable.js';

test('skeleton maps the ASCII look-alikes', () => {
  assert.is(skeleton('vibe-agency-0rchestrator'), skeleton('vibe-agency-orchestrator'));
  assert.is(skeleton('rnodel'), skeleton('model'));
  assert.is(skeleton('vvorker'), skeleton('worker'));
  assert.is(skeleton('clata'), skeleton('data'));
  assert.is(skeleton('paypa1'), skeleton('paypal'));
  assert.is(skeleton('5ecure'), skeleton('secure'));
  assert.is(skeleton('Ilama'), skeleton('llama'));
  assert.is.not(skeleton('planner'), skeleton('planer'));
});

test('skeleton decodes xn-- labels and maps Cyrillic/Greek look-alikes and accents', () => {
  const cyr = domainToASCII('раураl'); // Cyrillic р а у р а + Latin l
  assert.ok(cyr.startsWith('xn--'));
  assert.is(skeleton(cyr), skeleton('paypal'));
  assert.is(skeleton(domainToASCII('gpt-plаnner')), skeleton('gpt-planner')); // Cyrillic а
  assert.is(skeleton(domainToASCII('αgent')), skeleton('agent'));
  assert.is(skeleton(domainToASCII('agént')), skeleton('agent'));
  assert.type(skeleton('xn--zz-not-punycode-'), 'string'); // never throws, even on junk
});

test('withinOneEdit: insert, delete, substitute, swap; not two edits', () => {
  assert.ok(withinOneEdit('planner', 'planer'));
  assert.ok(withinOneEdit('planer', 'planner'));
  assert.ok(withinOneEdit('planner', 'plannex'));
  assert.ok(withinOneEdit('gpt', 'gtp'));
  assert.not.ok(withinOneEdit('abc', 'bca'));
  assert.not.ok(withinOneEdit('abcd', 'ab'));
  assert.not.ok(withinOneEdit('abcd', 'abdx'));
});

function indexOf(...labels: string[]) {
  const ix = new ConfusableIndex();
  for (const l of labels) ix.add(l);
  return ix;
}

test('findConflict: equal skeletons conflict whatever the length', () => {
  const ix = indexOf('vibe-agency-orchestrator', 'model', 'claude-architect');
  assert.is(ix.findConflict('vibe-agency-0rchestrator'), 'vibe-agency-orchestrator');
  assert.is(ix.findConflict('rnodel'), 'model');
  assert.is(ix.findConflict('c1aude-architect'), 'claude-architect');
  assert.is(ix.findConflict(domainToASCII('vibe-agency-оrchestrator')), 'vibe-agency-orchestrator');
});

test('findConflict: a name never conflicts with itself; unrelated names pass', () => {
  const ix = indexOf('vibe-agency-orchestrator', 'gpt-planner');
  assert.is(ix.findConflict('vibe-agency-orchestrator'), undefined);
  assert.is(ix.findConflict('gpt-planner'), undefined);
  assert.is(ix.findConflict('acme-sdlc-bot'), undefined);
  assert.is(ix.findConflict('vibe-agency-coder'), undefined);
});

test('findConflict: edit distance 1 only for short names', () => {
  const ix = indexOf('gpt-planner', 'vibe-agency-orchestrator');
  assert.ok('gpt-planner'.length <= SHORT_NAME_MAX);
  for (const near of ['gpt-planer', 'gpt-planners', 'gpt-plannex', 'gtp-planner', 'pt-planner']) {
    assert.is(ix.findConflict(near), 'gpt-planner', near);
  }
  assert.is(ix.findConflict('gpt-plan'), undefined);
  assert.is(ix.findConflict('xpt-plannex'), undefined); // two edits
  // long names: one edit is an honest new name
  assert.is(ix.findConflict('vibe-agency-orchestrators'), undefined);
  assert.is(ix.findConflict('vibe-agency-orchestrater'), undefined);
});

test('add is idempotent, remove forgets, labels with one skeleton are tracked separately', () => {
  const ix = indexOf('model', 'model');
  assert.is(ix.size, 1);
  ix.add('rnodel'); // the store may already hold confusable pairs (e.g. seeded before the rule)
  assert.is(ix.size, 2);
  assert.is(ix.findConflict('model'), 'rnodel');
  ix.remove('model');
  assert.not.ok(ix.has('model'));
  assert.is(ix.findConflict('model'), 'rnodel');
  ix.remove('rnodel');
  assert.is(ix.findConflict('model'), undefined);
  assert.is(ix.findConflict('modes'), undefined);
  ix.remove('never-added');
  assert.is(ix.size, 0);
});

test('many names: conflicts found, no false ones, removal and re-adding keep it exact', () => {
  const ix = new ConfusableIndex();
  const names: string[] = [];
  for (let i = 0; i < 20_000; i++) names.push(`agent-${i.toString(36)}-x${(i * 7919).toString(36)}`);
  for (const n of names) ix.add(n);
  assert.is(ix.size, names.length);
  const probes = ['agent-a-xb', names[1], names[1].replace('1', 'l'), 'agent-0-x0', 'zzz', 'agent-10-x1ug', names[99].slice(0, -1)];
  const check = (live: string[]) => {
    for (const p of probes) {
      const got = ix.findConflict(p);
      const sp = skeleton(p);
      const want = live.filter((n) => n !== p && (skeleton(n) === sp || (sp.length <= SHORT_NAME_MAX && skeleton(n).length <= SHORT_NAME_MAX && withinOneEdit(sp, skeleton(n)))));
      if (want.length === 0) assert.is(got, undefined, p);
      else assert.ok(got !== undefined && want.includes(got), `${p}: got ${got}, want one of ${want.slice(0, 5)}`);
    }
  };
  check(names); // brute-force reference
  for (let i = 1; i < names.length; i += 2) ix.remove(names[i]);
  assert.is(ix.size, names.length / 2);
  check(names.filter((_, i) => i % 2 === 0));
  for (let i = 1; i < names.length; i += 2) ix.add(names[i]);
  assert.is(ix.size, names.length);
  check(names);
  assert.is(ix.findConflict(names[1].replace('1', 'l')), names[1]);
});

test.run();

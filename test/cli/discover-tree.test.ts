// `steward discover` against real nodes (test/discover/tree.ts): the escalation lines
// list the agents each registry found, as the seed does; --limit says "Showing 1 of N";
// --json is the API's answer; progress appears only when there is a terminal to show it
// on (io.status), and the lines printed are the same either way.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { command } from '../../src/cli/steward/discover.js';
import type { Federation } from '../../src/node/federation.js';
import { startTree, Z } from '../discover/tree.js';
import { stewardInProcess } from './helpers.js';

delete process.env.STEWARD_REGISTRY;
const t = suite<{ fed: Federation; leaf: string }>('steward discover on a tree', {} as any);
t.before(async (ctx) => {
  ctx.fed = await startTree();
  ctx.leaf = ctx.fed.byZone(Z.leaf).url;
});
t.after(async (ctx) => ctx.fed.close());

t('escalation lines name the agents found at each step, then the table', async ({ leaf }) => {
  const r = await stewardInProcess(['discover', 'deep_only', '--registry', leaf]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines.slice(0, 5), [
    `Local Registry (${Z.leaf}): No results`,
    `Parent Registry (${Z.com}): No results`,
    `Root Registry (${Z.root}): 1 result found`,
    '  - root-bot (root)',
    '',
  ]);
  assert.is(lines[5], 'Found 1 agent across 3 registries:');
  assert.match(r.stdout, /│ root-bot +│ root +│/);

  const parent = await stewardInProcess(['discover', 'shared_cap', '--hierarchy', '--registry', leaf]);
  assert.equal(parent.stdout.split('\n').slice(0, 3), [`Local Registry (${Z.leaf}): No results`, `Parent Registry (${Z.com}): 1 result found`, '  - com-bot (com)']);
  assert.not.match(parent.stdout, /Root Registry/);
});

t('--federated: every registry with its agents; --limit 1 says "Showing 1 of 3"', async ({ leaf }) => {
  const all = await stewardInProcess(['discover', 'shared_cap', '--federated', '--registry', leaf, '--sort', 'name']);
  assert.is(all.code, 0, all.stderr);
  assert.match(all.stdout, new RegExp(`^Sibling Registry \\(${Z.sib.replace(/\./g, '\\.')}\\): 1 result found\n  - sib-bot \\(sib\\.com\\)$`, 'm'));
  assert.match(all.stdout, /^Found 3 agents across 4 registries:$/m);
  const one = await stewardInProcess(['discover', 'shared_cap', '--federated', '--registry', leaf, '--limit', '1']);
  assert.is(one.code, 0, one.stderr);
  assert.match(one.stdout, /^Showing 1 of 3 agents found across 4 registries:$/m);
  assert.not.match(one.stdout, /^Found/m);
  assert.is(one.stdout.split('\n').filter((l) => /^│ [a-z]+-bot/.test(l)).length, 1);
  const bad = await stewardInProcess(['discover', 'shared_cap', '--federated', '--hierarchy', '--registry', leaf]);
  assert.is(bad.code, 2);
});

t('--json prints the API answer (with total and each registry\'s agents), nothing else', async ({ leaf }) => {
  const r = await stewardInProcess(['discover', 'shared_cap', '--federated', '--json', '--registry', leaf, '--limit', '2']);
  assert.is(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  assert.is(body.scope, 'federated');
  assert.is(body.results.length, 2);
  assert.is(body.total, 3);
  assert.equal(body.registries.find((x: any) => x.role === 'sibling').agents, [`sib-bot.${Z.sib}`]);
  assert.is(r.stderr, '');
});

t('progress only on a terminal: status lines while registries answer, then erased; same output', async ({ leaf }) => {
  const capture = (tty: boolean) => {
    const out: string[] = [];
    const status: (string | undefined)[] = [];
    const io = { out: (l = '') => void out.push(l), err: (l = '') => void out.push(`ERR ${l}`), ...(tty ? { status: (l: string | undefined) => void status.push(l) } : {}) };
    return { io, out, status };
  };
  const tty = capture(true);
  const piped = capture(false);
  assert.is(await command(['shared_cap', '--federated', '--registry', leaf, '--sort', 'name'], tty.io), 0);
  assert.is(await command(['shared_cap', '--federated', '--registry', leaf, '--sort', 'name'], piped.io), 0);
  assert.is(tty.status[0], 'Querying registries...');
  assert.ok(tty.status.some((l) => /^Querying registries\.\.\. 4 answered \(/.test(l ?? '')), JSON.stringify(tty.status));
  assert.is(tty.status.at(-1), undefined, 'the status line is erased before the answer is printed');
  const noLatency = (lines: string[]) => lines.map((l) => l.replace(/\d+(\.\d)?ms/g, 'Nms').replace(/─+|(?<=│[^│]*) +(?=│)/g, ''));
  assert.equal(noLatency(tty.out), noLatency(piped.out));
});

t.run();

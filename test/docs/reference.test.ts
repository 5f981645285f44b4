// README's "Reference: options and environment" against the code: every variable
// src/config reads is in its Environment table, every option each command's parser
// accepts is in that command's subsection, and nothing listed there is unknown to it.
// README's first lines stay the new user's set-up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandOptions, envVars } from './options.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(text: string, heading: RegExp, level: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && (l.startsWith(`${level} `) || (level === '###' && l.startsWith('## '))));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

const reference = section(README, /^## Reference: options and environment$/, '##');

test('README has a reference section', () => {
  assert.ok(reference.length > 0, 'no "## Reference: options and environment" section');
});

test('every environment variable src/config reads is in the Environment table, and no other', () => {
  const env = section(reference, /^### Environment$/, '###');
  const vars = envVars();
  assert.ok(vars.length >= 5, vars.join());
  const listed = [...env.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!).sort();
  assert.equal(listed, vars, 'README Environment table vs src/config');
});

test('every option each command accepts is in its subsection, and none it does not', async () => {
  const commands = await commandOptions();
  assert.ok(commands.size >= 12, [...commands.keys()].join());
  const problems: string[] = [];
  for (const [command, options] of commands) {
    const text = section(reference, new RegExp(`^### \`${command}\`$`), '###');
    if (!text) {
      problems.push(`no "### \`${command}\`" subsection`);
      continue;
    }
    const listed = new Set([...text.matchAll(/`--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
    for (const o of options) if (!listed.has(o)) problems.push(`${command}: --${o} is accepted but not listed`);
    for (const o of listed) if (!options.includes(o)) problems.push(`${command}: --${o} is listed but not accepted`);
  }
  // Subsections for commands that no longer exist.
  for (const m of reference.matchAll(/^### `([^`]+)`$/gm)) if (!commands.has(m[1]!)) problems.push(`"### \`${m[1]}\`" names no command`);
  assert.equal(problems, []);
});

test("README's first lines are the new user's set-up", () => {
  const head = README.split('\n').slice(0, 30).join('\n');
  assert.match(head, /^npm install && npm start/m);
  assert.match(head, /^npm test/m);
  assert.ok(head.indexOf('## Set-up on a fresh machine') < head.indexOf('npm install && npm start'));
});

test('README shows a manifest that validates against the schema (with its namespace filled in)', async () => {
  const { validateManifest } = await import('../../src/records/schema.js');
  const setup = README.slice(0, README.indexOf('## Command line'));
  const json = /```json\n([\s\S]*?)\n```/.exec(setup);
  assert.ok(json, 'a ```json manifest in the set-up section');
  validateManifest({ namespace: 'vibe-agency.com', ...JSON.parse(json![1]!) });
});

test.run();

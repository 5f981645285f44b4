// `steward resolve --trace` as a user reads it, against the demo federation: a cached
// referral names the zone it was learnt from (never a zone referring to itself), and a
// walk that fails still prints its trace, ending at the step that failed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { startFederation, type Federation } from '../../src/node/federation.js';
import { loadZoneDir } from '../../src/zonefile/index.js';
import { ROOT, stewardInProcess } from './helpers.js';

delete process.env.STEWARD_REGISTRY;
const DOMAIN = 'steward-registry.org';
const zone = (ns: string) => `${ns}.${DOMAIN}`;

let fed: Federation;
let vibe: string;

test.before(async () => {
  fed = await startFederation(loadZoneDir(join(ROOT, 'zones')), { ephemeralPorts: true, fsync: false });
  vibe = fed.byZone(zone('vibe-agency.com')).url;
});
test.after(() => fed.close());

const traceLines = (out: string) => out.split('\n').filter((l) => /^;; \d+\./.test(l));

test('a cached referral reads "org (cache) REFERRAL → openai.org", not openai.org → openai.org', async () => {
  const first = await stewardInProcess(['resolve', 'gpt-planner.openai.org', '--registry', vibe, '--trace']);
  assert.is(first.code, 0, first.stderr);
  const second = await stewardInProcess(['resolve', 'gpt-code-assistant.openai.org', '--registry', vibe, '--trace']);
  assert.is(second.code, 0, second.stderr);
  const lines = traceLines(second.stdout);
  assert.ok(lines.length >= 2, second.stdout);
  const cached = lines[0]!.split(/\s+/);
  // ";; 1. <from> (cache) REFERRAL → <to> ..."
  assert.is(cached[2], zone('org'), lines[0]);
  assert.is(cached[3], '(cache)');
  assert.is(cached[4], 'REFERRAL');
  assert.is(cached[6], zone('openai.org'));
  for (const l of lines) {
    const m = /^;; \d+\.\s+(\S+).*→\s+(\S+)/.exec(l);
    if (m) assert.is.not(m[1], m[2], `a zone referring to itself: ${l}`);
  }
});

test('a failed walk prints its trace, then the error', async () => {
  await fed.byZone(zone('anthropic.org')).close();
  const res = await stewardInProcess(['resolve', 'claude-architect.anthropic.org', '--registry', vibe, '--trace', '--timeout', '20000']);
  assert.is(res.code, 3, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout, /^;; trace for claude-architect\.anthropic\.org/m);
  const lines = traceLines(res.stdout);
  assert.ok(lines.length >= 2, res.stdout);
  assert.ok(lines.some((l) => l.includes(zone('anthropic.org')) && l.includes('FAILED')), res.stdout);
  assert.match(res.stderr, /^error: /m);
});

test.run();

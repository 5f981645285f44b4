// What a user sees before any network call: help, and usage errors with exit code 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { steward, stewardInProcess, tempDir } from './helpers.js';

// In-process cases read the environment directly; the developer's shell must not leak in.
delete process.env.STEWARD_REGISTRY;

const REG = ['--registry', 'http://127.0.0.1:9'];

test('help: top level and per command, exit 0, on stdout', async () => {
  const runs = await Promise.all([
    steward(['--help']),
    stewardInProcess(['help']),
    stewardInProcess(['help', 'discover']),
    ...['resolve', 'discover', 'publish', 'unpublish', 'keygen'].map((c) => stewardInProcess([c, '--help'])),
  ]);
  for (const r of runs) {
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: steward/);
    assert.is(r.stderr, '');
  }
  assert.match(runs[0].stdout, /resolve <name>/);
  assert.match(runs[0].stdout, /discover <query>/);
  assert.match(runs[2].stdout, /--geo-aware/);
  assert.match(runs[3].stdout, /--no-recurse/);
  assert.match(runs[3].stdout, /--trace/);
  assert.match(runs[7].stdout, /--alg ALG/);
});

test('no command prints the help to stderr and exits 2', async () => {
  const r = await steward([]);
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /Usage: steward <command>/);
});

test('usage errors exit 2 with one clear line on stderr', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--registry', 'x'], /expected a command before "--registry"/],
    [['help', 'nope'], /unknown command "nope"/],
    [['resolve', ...REG], /missing argument <name>/],
    [['resolve', 'a', 'b', ...REG], /unexpected argument "b"/],
    [['resolve', 'a', '--bogus', ...REG], /Unknown option '--bogus'/],
    [['resolve', 'a', '--registry'], /--registry/],
    [['resolve', 'a'], /STEWARD_REGISTRY/],
    [['resolve', 'a', '--registry', 'not a url'], /not a URL/],
    [['resolve', 'a', '--registry', 'ftp://x'], /http:\/\/ or https:\/\//],
    [['resolve', 'a', '--timeout', '0', ...REG], /--timeout must be a whole number/],
    [['resolve', 'a', '--timeout', 'soon', ...REG], /--timeout must be a whole number/],
    [['discover', ...REG], /missing argument <query>/],
    [['discover', '  ', ...REG], /the query is empty/],
    [['discover', 'x', '--sort', 'size', ...REG], /--sort must be one of trust, latency, name/],
    [['discover', 'x', '--scope', 'galaxy', ...REG], /--scope must be one of local, hierarchy, federated/],
    [['discover', 'x', '--federated', '--scope', 'local', ...REG], /--federated contradicts --scope local/],
    [['discover', 'x', '--limit', '-3', ...REG], /--limit/],
    [['discover', 'x', '--limit', 'many', ...REG], /--limit must be a whole number/],
    [['publish', ...REG], /missing argument <manifest.json>/],
    [['publish', 'm.json', ...REG], /--key <private-key-file> is required/],
    [['unpublish', 'a', ...REG], /--key <private-key-file> is required/],
    [['keygen'], /--out <file> is required/],
    [['keygen', '--out', '/tmp/x', '--alg', 'DES'], /--alg must be one of ES256, EdDSA, RS256/],
  ];
  // Two through the real binary, the rest in process.
  const runs = await Promise.all(cases.map(([args], i) => (i < 2 ? steward(args) : stewardInProcess(args))));
  runs.forEach((r, i) => {
    const [args, re] = cases[i];
    assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
    assert.match(r.stderr, /^error: /, args.join(' '));
    assert.match(r.stderr, re, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line, got ${r.stderr}`);
    assert.is(r.stdout, '', args.join(' '));
  });
});

test('a malformed name is refused locally with exit 2, no registry needed', async () => {
  const runs = await Promise.all([
    steward(['resolve', 'foo..bar', ...REG]),
    stewardInProcess(['resolve', ...REG, '--', '-foo']),
    stewardInProcess(['resolve', 'foo_bar.com', ...REG]),
    stewardInProcess(['unpublish', 'a..b', '--key', 'k', ...REG]),
  ]);
  for (const r of runs) {
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /\(BAD_NAME\)/);
  }
});

test('STEWARD_REGISTRY is used when --registry is absent, and checked', async () => {
  const r = await steward(['resolve', 'a'], { env: { STEWARD_REGISTRY: 'nonsense' } }); // env of a real process
  assert.is(r.code, 2);
  assert.match(r.stderr, /"nonsense" is not a URL/);
});

test('publish: unreadable, non-JSON or non-object manifest gives exit 2 naming the file', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const key = join(dir, 'key.json'); // never reached when the manifest is bad
    await writeFile(key, '{}');
    await writeFile(join(dir, 'broken.json'), '{"name": "x",');
    await writeFile(join(dir, 'array.json'), '[1,2]');
    await writeFile(join(dir, 'big.json'), JSON.stringify({ description: 'x'.repeat(70_000) }));
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /missing\.json: cannot read it: no such file/],
      [join(dir, 'broken.json'), /broken\.json: not valid JSON/],
      [join(dir, 'array.json'), /array\.json: a manifest must be a JSON object/],
      [join(dir, 'big.json'), /big\.json: \d+ bytes; a manifest must be under 65536 bytes/],
      [dir, /not a regular file/],
    ];
    const runs = await Promise.all(cases.map(([m], i) => (i === 0 ? steward : stewardInProcess)(['publish', m, '--key', key, ...REG])));
    runs.forEach((r, i) => {
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: Bad manifest: /);
      assert.match(r.stderr, cases[i][1]);
    });
  } finally {
    await cleanup();
  }
});

test.run();

// steward keygen: a usable key file, its fingerprint printed, never a silent overwrite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readKeyFile } from '../../src/records/keys.js';
import { steward, stewardInProcess, tempDir } from './helpers.js';

test('writes an owner-only key file and prints the fingerprint it holds (real binary)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, 'publisher.json');
    const r = await steward(['keygen', '--out', out]);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stderr, '');
    const fp = /Fingerprint: (\S+)/.exec(r.stdout)?.[1];
    assert.ok(fp, r.stdout);
    assert.match(r.stdout, /\(ES256\)/);
    const key = await readKeyFile(out);
    assert.is(key.fingerprint, fp);
    assert.is(key.alg, 'ES256');
    assert.is((await stat(out)).mode & 0o777, 0o600);
  } finally {
    await cleanup();
  }
});

test('every algorithm; --json gives the fingerprint and public key only', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (const alg of ['ES256', 'EdDSA', 'RS256']) {
      const out = join(dir, `${alg}.json`);
      const r = await stewardInProcess(['keygen', '--out', out, '--alg', alg, '--json']);
      assert.is(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.is(j.alg, alg);
      assert.is(j.file, out);
      assert.is(j.publicJwk.d, undefined, 'no private member in the output');
      assert.is((await readKeyFile(out)).fingerprint, j.fingerprint);
    }
  } finally {
    await cleanup();
  }
});

test('an existing file is kept unless --force', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, 'k.json');
    await writeFile(out, 'precious');
    const r = await stewardInProcess(['keygen', '--out', out]);
    assert.is(r.code, 2);
    assert.match(r.stderr, /already exists; refusing to overwrite a key \(pass --force/);
    assert.is(await readFile(out, 'utf8'), 'precious');
    const f = await stewardInProcess(['keygen', '--out', out, '--force']);
    assert.is(f.code, 0, f.stderr);
    assert.ok((await readKeyFile(out)).fingerprint);
  } finally {
    await cleanup();
  }
});

test('an unwritable place is bad input (exit 2), not a crash', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const r = await stewardInProcess(['keygen', '--out', join(dir, 'no', 'such', 'dir', 'k.json')]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: Cannot write key: cannot write key file .*k\.json: ENOENT/);
  } finally {
    await cleanup();
  }
});

test('a key file that is not a private key is refused by publish with exit 2, naming the file', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const manifest = join(dir, 'm.json');
    await writeFile(manifest, JSON.stringify({ name: 'a', version: '1.0.0' }));
    const pub = join(dir, 'public.json');
    await writeFile(pub, JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'dajyhZ_oiADgffq8yiyb0SzP74e3B2VEXrJEks8xU8E' }));
    const junk = join(dir, 'junk.txt');
    await writeFile(junk, 'hello');
    for (const [key, re] of [[pub, /no private key/], [junk, /neither a JWK JSON file nor a PEM private key/], [join(dir, 'none'), /no such file/]] as const) {
      const r = await stewardInProcess(['publish', manifest, '--key', key, '--registry', 'http://127.0.0.1:9']);
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: Bad key file: /);
      assert.ok(r.stderr.includes(key), r.stderr);
      assert.match(r.stderr, re);
    }
  } finally {
    await cleanup();
  }
});

test.run();

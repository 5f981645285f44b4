// Makes a federation's trust anchor: a self-signed root CA for the root domain with a
// critical nameConstraints extension permitting only that domain (SPEC §5).
//   npx tsx scripts/make-root-ca.ts [--out certs] [--alg rsa4096|p256] [--root-domain steward-registry.org]
//                                   [--days 3650] [--force]
// Writes <out>/root-ca.pem and <out>/root-ca.key (0600, git-ignored by certs/*.key) and
// prints the certificate's fingerprint. Refuses to replace an existing CA without --force:
// every certificate of the federation chains to it.
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/config/index.js';
import { ROOT_CA_NAME } from '../src/pki/demo.js';
import { materialPaths, writeAtomic, writePrivateKeyAtomic } from '../src/pki/files.js';
import { createRootCa } from '../src/pki/issue.js';
import { fingerprint, generateKeys, type KeyAlg } from '../src/pki/keys.js';

function main(): number {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      options: { out: { type: 'string', default: 'certs' }, alg: { type: 'string', default: 'rsa4096' }, 'root-domain': { type: 'string', default: DEFAULTS.rootDomain }, days: { type: 'string', default: '3650' }, force: { type: 'boolean', default: false } },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`make-root-ca: ${(err as Error).message}`);
    return 2;
  }
  const alg = ({ rsa4096: 'rsa4096', rsa: 'rsa4096', p256: 'p256', 'p-256': 'p256' } as Record<string, KeyAlg>)[String(v.alg).toLowerCase()];
  const days = Number(v.days);
  if (!alg || !(days > 0)) {
    console.error('make-root-ca: --alg must be rsa4096 or p256, --days a positive number');
    return 2;
  }
  const dir = String(v.out);
  const paths = materialPaths(dir, ROOT_CA_NAME);
  if (!v.force && (existsSync(paths.cert) || existsSync(paths.key))) {
    console.error(`make-root-ca: ${paths.cert} already exists; every certificate of the federation chains to it. Use --force to replace it.`);
    return 1;
  }
  mkdirSync(dir, { recursive: true });
  void (async () => {
    const keys = await generateKeys(alg);
    const root = await createRootCa(String(v['root-domain']), keys, { lifetimeMs: days * 24 * 3600_000 });
    if (v.force) for (const p of [paths.key, paths.cert]) if (existsSync(p)) unlinkSync(p);
    writePrivateKeyAtomic(paths.key, keys);
    writeAtomic(paths.cert, root.pem);
    console.log(`Root CA for ${String(v['root-domain'])} (${alg}) written to ${paths.cert}`);
    console.log(`Private key: ${paths.key} (0600, keep it out of git)`);
    console.log(`Fingerprint: ${fingerprint(root.der)}`);
  })().catch((err) => {
    console.error(`make-root-ca: ${(err as Error).message}`);
    process.exitCode = 1;
  });
  return 0;
}

process.exitCode = main();

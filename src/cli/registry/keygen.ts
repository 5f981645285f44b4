// steward-registry keygen: the registry's key pair (SPEC §5), the first step of the
// seed's bootstrap. The private key is written 0600 and never replaced; the fingerprint
// printed is SHA-256 of the public key's SPKI (what the parent pins a registration to).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { keyFingerprint } from '../../identity/node-identity.js';
import { publicKeyPath, REGISTRY_NAME, saveKeyPair } from '../../identity/material.js';
import { generateKeys, materialPaths } from '../../pki/index.js';
import { algFlag, parse, usage } from './common.js';

export const help = `usage: steward-registry keygen [--out DIR] [--alg rsa4096|p256]

Generates the registry's key pair (SPEC §5) and prints its fingerprint.

  --out DIR        where to write the key pair (default: the current directory):
                     DIR/registry.key      the private key (PKCS#8 PEM, mode 0600)
                     DIR/registry.pub.pem  the public key (SPKI PEM), for register --pubkey
                   an existing DIR/registry.key is never overwritten (exit 2)
  --alg ALG        rsa4096 (default, as SPEC §5 says; takes a few seconds) or p256

Then: steward-registry register --parent URL --namespace N --pubkey DIR/registry.pub.pem
Exit codes: 0 written, 2 usage error or the files cannot be written.`;

export async function command(args: string[]) {
  const v = parse(args, { out: { type: 'string' }, alg: { type: 'string' } });
  if (v.help) return console.log(help);
  const alg = algFlag(v.alg);
  const dir = resolve(v.out ?? '.');
  const key = materialPaths(dir, REGISTRY_NAME).key;
  if (existsSync(key)) throw usage(`${key} already exists; refusing to overwrite a registry key (its certificate is bound to it)`);
  console.log('Generating registry keypair...');
  const keys = await generateKeys(alg);
  let paths: { key: string; pub: string };
  try {
    paths = saveKeyPair(dir, keys);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(code === 'EEXIST' ? `${key} already exists; refusing to overwrite a registry key` : `cannot write the key pair in ${dir}: ${code ?? (err as Error).message}`);
  }
  console.log(`✅ Private key: ${paths.key}`);
  console.log(`✅ Public key: ${publicKeyPath(dir)}`);
  console.log(`✅ Fingerprint: sha256:${keyFingerprint(keys.publicKey)}`);
}

// A small federation PKI per key algorithm mix (root → com → acme-labs.com), built once
// per process, and a helper to run `openssl verify` on a chain exactly as SPEC §5 says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeys, type KeyAlg, type RegistryKeyPair } from '../../src/pki/keys.js';
import { buildCertificate, createRootCa, issueRegistryCertificate, type CertificateSpec, type IssuedCertificate } from '../../src/pki/issue.js';
import { derToPem } from '../../src/pki/parse.js';

export const ROOT = 'steward-registry.org';
export const COM = 'com.steward-registry.org';
export const ACME = 'acme-labs.com.steward-registry.org';

const keyCache = new Map<string, Promise<RegistryKeyPair>>();
export function key(alg: KeyAlg, slot: string): Promise<RegistryKeyPair> {
  const k = `${alg}/${slot}`;
  if (!keyCache.has(k)) keyCache.set(k, generateKeys(alg));
  return keyCache.get(k)!;
}

export interface Pki {
  algs: KeyAlg[];
  rootKeys: RegistryKeyPair; root: IssuedCertificate;
  comKeys: RegistryKeyPair; com: IssuedCertificate;
  acmeKeys: RegistryKeyPair; acme: IssuedCertificate;
  leafKeys: RegistryKeyPair;
  /** A certificate signed by acme-labs.com's key (the child) with whatever it likes. */
  byAcme(spec: Partial<CertificateSpec>): Promise<IssuedCertificate>;
}

/** algs = [root, com, acme, leaf]. */
export async function makePki(algs: KeyAlg[]): Promise<Pki> {
  const [rootKeys, comKeys, acmeKeys, leafKeys] = await Promise.all(algs.map((a, i) => key(a, `pki${i}`)));
  const root = await createRootCa(ROOT, rootKeys!);
  const com = await issueRegistryCertificate(COM, comKeys!.publicKey, { certificate: root.pem, keys: rootKeys! });
  const acme = await issueRegistryCertificate(ACME, acmeKeys!.publicKey, { certificate: com.pem, keys: comKeys! });
  const byAcme = (spec: Partial<CertificateSpec>) =>
    buildCertificate(
      { subjectCn: `sub.${ACME}`, dnsNames: [`sub.${ACME}`], permitted: [`sub.${ACME}`], ca: true, subjectPublicKey: leafKeys!.publicKey, ...spec },
      { certificate: acme.pem, keys: acmeKeys! },
    );
  return { algs, rootKeys: rootKeys!, root, comKeys: comKeys!, com, acmeKeys: acmeKeys!, acme, leafKeys: leafKeys!, byAcme };
}

export interface OpensslVerdict {
  ok: boolean;
  /** [code, depth] of every error OpenSSL printed */
  errors: Array<[number, number]>;
  output: string;
}

const pem = (x: Uint8Array | string) => (typeof x === 'string' ? x : derToPem(x));

export function opensslVerify(opts: { root: string | Uint8Array; chain: Array<string | Uint8Array>; cert: string | Uint8Array; crls?: string[]; at?: number }): OpensslVerdict {
  const dir = mkdtempSync(join(tmpdir(), 'pki-ossl-'));
  try {
    const args = ['verify', '-CAfile', join(dir, 'root.pem')];
    writeFileSync(join(dir, 'root.pem'), pem(opts.root));
    if (opts.chain.length) {
      writeFileSync(join(dir, 'chain.pem'), opts.chain.map(pem).join(''));
      args.push('-untrusted', join(dir, 'chain.pem'));
    }
    if (opts.crls) {
      writeFileSync(join(dir, 'crl.pem'), opts.crls.join(''));
      args.push('-CRLfile', join(dir, 'crl.pem'), '-crl_check_all');
    }
    if (opts.at !== undefined) args.push('-attime', String(Math.floor(opts.at / 1000)));
    writeFileSync(join(dir, 'cert.pem'), pem(opts.cert));
    args.push(join(dir, 'cert.pem'));
    let output = '';
    let ok = false;
    try {
      output = execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      ok = /: OK\s*$/.test(output);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    const errors = [...output.matchAll(/error (\d+) at (\d+) depth lookup/g)].map((m) => [Number(m[1]), Number(m[2])] as [number, number]);
    return { ok, errors, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

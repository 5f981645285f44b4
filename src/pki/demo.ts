// The demo federation's certificate material, found or made on first start with
// nothing for the user to do. Every node calls `ensureDemoPki` with the same certs
// directory; any number may start at once: each artifact is made by exactly one process
// (O_EXCL lock) and the others read the winner's files. A zone's certificate is issued by
// its parent zone (made first, recursively), the root's is self-signed.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { generateKeys, type KeyAlg, type RegistryKeyPair } from './keys.js';
import { createRootCa, issueRegistryCertificate, canonicalZone } from './issue.js';
import { materialPaths, once, readKeys, writeAtomic, writePrivateKeyAtomic } from './files.js';
import { parseCertificate } from './parse.js';
import { verifyChain } from './verify.js';
import { StewardError } from '../errors/index.js';

export const ROOT_CA_NAME = 'root-ca';

export interface ZoneMaterial {
  zone: string;
  keys: RegistryKeyPair;
  certificatePem: string;
  /** Issuers up to and including the root, PEM each, nearest first. */
  chainPems: string[];
  rootPem: string;
  paths: ReturnType<typeof materialPaths>;
}

export interface DemoPkiOptions {
  dir: string;
  rootDomain: string;
  /** Key type for keys made here (default RSA-4096, SPEC §5; P-256 is ~100× faster to make). */
  alg?: KeyAlg;
  /** Parent zone of a zone; default: drop the first label. */
  parentOf?: (zone: string) => string;
  /** Certificates expiring sooner than this are reissued (default 30 days). */
  renewBeforeMs?: number;
}

const splitPems = (s: string) => s.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

/** The set exists, chains to the current root, and is not due for renewal. */
function usable(paths: ZoneMaterial['paths'], rootPath: string, renewBeforeMs: number): boolean {
  if (!existsSync(paths.cert) || !existsSync(paths.chain) || !existsSync(paths.key)) return false;
  try {
    const cert = parseCertificate(readFileSync(paths.cert, 'utf8'));
    if (cert.notAfter - Date.now() <= renewBeforeMs) return false;
    const chain = splitPems(readFileSync(paths.chain, 'utf8'));
    return verifyChain(cert, chain, [readFileSync(rootPath, 'utf8')]).ok;
  } catch {
    return false;
  }
}

function load(zone: string, paths: ZoneMaterial['paths'], rootPath: string): ZoneMaterial {
  const certificatePem = readFileSync(paths.cert, 'utf8');
  const chainPems = existsSync(paths.chain) ? splitPems(readFileSync(paths.chain, 'utf8')) : [];
  return { zone, keys: readKeys(paths.key)!, certificatePem, chainPems, rootPem: readFileSync(rootPath, 'utf8'), paths };
}

/** Finds or makes the federation root CA in `dir` (root-ca.pem / root-ca.key). */
export async function ensureRootCa(opts: DemoPkiOptions): Promise<ZoneMaterial> {
  const root = canonicalZone(opts.rootDomain);
  const paths = materialPaths(opts.dir, ROOT_CA_NAME);
  mkdirSync(opts.dir, { recursive: true });
  await once(paths.lock, () => existsSync(paths.cert), async () => {
    const keys = readKeys(paths.key) ?? (await generateKeys(opts.alg));
    if (!existsSync(paths.key)) writePrivateKeyAtomic(paths.key, keys);
    writeAtomic(paths.cert, (await createRootCa(root, keys)).pem);
  });
  return load(root, paths, paths.cert);
}

/** Finds or makes the registry certificate (and key) of `zone`, and its ancestors'. */
export async function ensureDemoPki(zoneIn: string, opts: DemoPkiOptions): Promise<ZoneMaterial> {
  const zone = canonicalZone(zoneIn);
  const root = canonicalZone(opts.rootDomain);
  const rootCa = await ensureRootCa(opts);
  if (zone === root) return rootCa;
  if (!zone.endsWith(`.${root}`)) throw new StewardError('BAD_CONFIG', `${zone} is not below the root domain ${root}`);
  const paths = materialPaths(opts.dir, zone);
  const renew = opts.renewBeforeMs ?? 30 * 24 * 3600_000;
  await once(paths.lock, () => usable(paths, rootCa.paths.cert, renew), async () => {
    const keys = readKeys(paths.key) ?? (await generateKeys(opts.alg));
    if (!existsSync(paths.key)) writePrivateKeyAtomic(paths.key, keys);
    const parentZone = (opts.parentOf ?? ((z: string) => z.slice(z.indexOf('.') + 1)))(zone);
    const parent = await ensureDemoPki(parentZone, opts);
    const cert = await issueRegistryCertificate(zone, keys.publicKey, { certificate: parent.certificatePem, keys: parent.keys });
    writeAtomic(paths.chain, [parent.certificatePem, ...parent.chainPems].join(''));
    writeAtomic(paths.cert, cert.pem); // last: its presence marks the set complete
  });
  return load(zone, paths, rootCa.paths.cert);
}

// Test identities for signed requests: a root CA and a registry certificate below it,
// P-256 or RSA, made with the openssl CLI (@peculiar/x509 needs a reflect-metadata
// polyfill this branch does not add); and a minimal chain check (signatures up to our
// root and validity times, via node's X509Certificate) standing in for src/pki's, which
// the lead plugs in with the same ChainCheck signature.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { DEFAULTS } from '../../src/config/index.js';
import { StewardError } from '../../src/errors/index.js';
import { bodyLimit } from '../../src/http/body-limit.js';
import { onError, problemResponse } from '../../src/http/problem.js';
import { signedRequests, verifiedSender, type SignedEnv } from '../../src/http/signed.js';
import { keyIdOf, type ChainCheck } from '../../src/pki/httpsig/index.js';

export type KeyKind = 'p256' | 'rsa2048' | 'rsa4096';
const NEWKEY: Record<KeyKind, string[]> = {
  p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa2048: ['-newkey', 'rsa:2048'],
  rsa4096: ['-newkey', 'rsa:4096'],
};
const CA_EXT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'];

export const ROOT_ZONE = 'steward-registry.org';

export interface TestIdentity {
  zone: string;
  privateKey: KeyObject;
  /** Leaf DER first, then the root. */
  chain: Buffer[];
  rootDer: Buffer;
}

export interface Root { keyPem: string; pem: string; der: Buffer }

const der = (pem: string) => new X509Certificate(pem).raw;
const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

function inTemp<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'httpsig-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function makeRoot(kind: KeyKind = 'p256'): Promise<Root> {
  return inTemp((dir) => {
    openssl(['req', '-x509', '-new', ...NEWKEY[kind], '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '365',
      '-subj', `/CN=${ROOT_ZONE}`, ...CA_EXT.flatMap((e) => ['-addext', e])], dir);
    const pem = readFileSync(join(dir, 'root.pem'), 'utf8');
    return { keyPem: readFileSync(join(dir, 'root.key'), 'utf8'), pem, der: der(pem) };
  });
}

export async function makeIdentity(root: Root, kind: KeyKind = 'p256', { zone = `acme-corp.com.${ROOT_ZONE}`, days = 365 } = {}): Promise<TestIdentity> {
  return inTemp((dir) => {
    writeFileSync(join(dir, 'root.key'), root.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'root.pem'), root.pem);
    writeFileSync(join(dir, 'ext.cnf'), `${CA_EXT.join('\n')}\nsubjectAltName=DNS:${zone}\n`);
    openssl(['req', '-new', ...NEWKEY[kind], '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${zone}`], dir);
    openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', `0x4${randomBytes(8).toString('hex')}`,
      '-days', String(days), '-extfile', 'ext.cnf', '-out', 'leaf.pem'], dir);
    const leaf = der(readFileSync(join(dir, 'leaf.pem'), 'utf8'));
    return { zone, privateKey: createPrivateKey(readFileSync(join(dir, 'leaf.key'))), chain: [leaf, root.der], rootDer: root.der };
  });
}

/** Signatures up to `rootDer` and validity times; zone = the leaf's CN. Not the real pki check. */
export function fakeChainCheck(rootDer: Uint8Array): ChainCheck {
  const root = new X509Certificate(rootDer);
  return async (ders, at) => {
    let certs: X509Certificate[];
    try {
      certs = ders.map((d) => new X509Certificate(d));
    } catch {
      return { ok: false, reason: 'a certificate in the chain does not parse' };
    }
    for (let i = 0; i < certs.length; i++) {
      const c = certs[i]!;
      const issuer = certs[i + 1] ?? root;
      if (!c.verify(issuer.publicKey) || (i === certs.length - 1 && !c.verify(root.publicKey))) {
        return { ok: false, reason: `certificate ${i} does not chain to our root` };
      }
      if (at < new Date(c.validFrom) || at > new Date(c.validTo)) return { ok: false, reason: `certificate ${i} is outside its validity period` };
    }
    const zone = /CN=([^\n,]+)/.exec(certs[0]!.subject)?.[1] ?? '';
    return { ok: true, leafPublicKey: certs[0]!.publicKey, zone, certFingerprint: keyIdOf(ders[0]!) };
  };
}

/** A tiny app as the lead will wire it: the 64 KiB body limit, the middleware, two routes. */
export function signedApp(verify: import('../../src/pki/httpsig/index.js').Verifier, hits?: { n: number }) {
  const app = new Hono<SignedEnv>();
  app.use('*', bodyLimit({ maxSize: DEFAULTS.maxBodyBytes, onError: () => problemResponse(new StewardError('PAYLOAD_TOO_LARGE', 'too large')) }));
  app.use('/v1/*', signedRequests({ verify }));
  app.post('/v1/push', async (c) => {
    if (hits) hits.n++;
    const sender = verifiedSender(c);
    return c.json({ zone: sender.zone, keyid: sender.keyid, body: await c.req.text() });
  });
  app.get('/v1/sync', (c) => {
    if (hits) hits.n++;
    return c.json({ zone: verifiedSender(c).zone });
  });
  app.onError(onError(() => {}));
  return app;
}

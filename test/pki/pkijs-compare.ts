// Not a test: prints, for every differential case, OpenSSL's verdict and pkijs'
// CertificateChainValidationEngine's ("!!" where they disagree) — the evidence for
// src/pki/README.md "Why not pkijs". Run: npx tsx test/pki/pkijs-compare.ts
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { buildCases } from './cases.js';
import { makePki, opensslVerify } from './fixtures.js';
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as any }));
const cert = (d: Uint8Array) => pkijs.Certificate.fromBER(new Uint8Array(d));
const crl = (pem: string) => pkijs.CertificateRevocationList.fromBER(new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')));
const p = await makePki(['p256', 'p256', 'p256', 'p256']);
for (const c of await buildCases(p)) {
  const ossl = opensslVerify({ root: p.root.der, chain: c.chain, cert: c.cert, crls: c.crls, at: c.at });
  let r: any;
  try {
    const engine = new pkijs.CertificateChainValidationEngine({ trustedCerts: [cert(p.root.der)], certs: [...c.chain.map(cert), cert(c.cert)], crls: c.crls?.map(crl) ?? [], checkDate: new Date(c.at ?? Date.now()) });
    r = await engine.verify();
  } catch (e) { r = { result: false, resultMessage: 'threw ' + (e as Error).message }; }
  const agree = r.result === ossl.ok;
  console.log(`${agree ? '  ' : '!!'} ${c.name.padEnd(80)} openssl ${ossl.ok ? 'OK' : 'refuse'}  pkijs ${r.result ? 'OK' : 'refuse: ' + r.resultMessage}`);
}

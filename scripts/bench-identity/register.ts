// Register latency at the parent: CSR (PEM) in → checked (proof of possession, name) →
// certificate issued (PEM). Per issuer key type, with P-256 and RSA-4096 subjects. The
// network, the delegation write and the namespace checks are the node's and not here.
import { createCsr, parseCsr } from '../../src/pki/csr.js';
import { issueRegistryCertificate } from '../../src/pki/issue.js';
import { generateKeys, type KeyAlg } from '../../src/pki/keys.js';
import { percentiles } from '../bench-resolve/stats.js';
import { benchPki } from './pki.js';

export async function run({ n = 60 }: { n?: number } = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const subjects = { p256: await generateKeys('p256'), rsa4096: await generateKeys('rsa4096') };
  const csrs = { p256: await createCsr('new-corp.acme-labs.com.steward-registry.org', subjects.p256), rsa4096: await createCsr('new-corp.acme-labs.com.steward-registry.org', subjects.rsa4096) };
  for (const issuerAlg of ['p256', 'rsa4096'] as KeyAlg[]) {
    const p = await benchPki(issuerAlg, 'p256');
    for (const subjectAlg of ['p256', 'rsa4096'] as KeyAlg[]) {
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const req = await parseCsr(csrs[subjectAlg]);
        await issueRegistryCertificate(req.zone, req.publicKey, { certificate: p.issuer.cert.pem, keys: p.issuer.keys });
        ms.push(performance.now() - t);
      }
      out[`${issuerAlg}_issuer_${subjectAlg}_subject`] = { n, ms: percentiles(ms) };
    }
  }
  // What a registering registry spends before it can send its CSR (keygen + CSR).
  for (const alg of ['p256', 'rsa4096'] as KeyAlg[]) {
    const ms: number[] = [];
    for (let i = 0; i < (alg === 'p256' ? n : 5); i++) {
      const t = performance.now();
      await createCsr('new-corp.acme-labs.com.steward-registry.org', await generateKeys(alg));
      ms.push(performance.now() - t);
    }
    out[`keygen_and_csr_${alg}`] = { n: ms.length, ms: percentiles(ms) };
  }
  return out;
}

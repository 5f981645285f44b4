// Signed-request verifications per second through the real NodeIdentity.verify, one core:
// header parse, Content-Digest, ChainVerifier (warm cache: the same sender's chain every
// time, as between two registries), the RFC 9421 signature check with the leaf's key,
// clock, and the memory nonce store's claim — everything a signed POST /v1/push costs
// before the route. For P-256 and RSA-4096 leaves (and issuers); each request is signed
// beforehand with its own nonce (RSA-4096 signing is ~10 ms, so fewer of those).
// Reported per CPU-second (process.cpuUsage: this one thread's work) and per wall-second.
import { NodeIdentity } from '../../src/identity/node-identity.js';
import { derToPem, type KeyAlg } from '../../src/pki/index.js';
import { createSigner, MemoryNonceStore, type SignedRequestView } from '../../src/pki/httpsig/index.js';
import { benchPki } from './pki.js';

const ORIGIN = 'http://acme-labs.test:7310';

export async function run({ n }: { ms?: number; n?: number } = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const alg of ['p256', 'rsa4096'] as KeyAlg[]) {
    const p = await benchPki(alg, alg);
    // the verifying node: acme-labs.com (the leaf is its child team.acme-labs.com)
    const open = () => NodeIdentity.open({
      zone: 'acme-labs.com.steward-registry.org',
      material: { keys: p.issuer.keys, certificatePem: p.issuer.cert.pem, chainPems: [derToPem(p.chain[2]!, 'CERTIFICATE'), p.root.pem], rootPem: p.root.pem },
      nonces: new MemoryNonceStore(),
      origins: [ORIGIN],
    });
    const signer = createSigner({ privateKey: p.leaf.keys.privateKey, chain: p.chain });
    const body = Buffer.from(JSON.stringify({ zone: 'team.acme-labs.com.steward-registry.org', entries: [{ op: 'put', ref: { id: 'x', jws: 'a'.repeat(900) } }] }));
    const perPass = n ?? (alg === 'p256' ? 20_000 : 1_000);
    // RSA-4096 requests are slow to sign: the same ones are verified in several passes,
    // each by a fresh NodeIdentity (so a fresh nonce store), warmed up first
    const passes = alg === 'p256' ? 1 : 5;
    const requests: SignedRequestView[] = Array.from({ length: perPass + 50 }, () => {
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(signer.sign({ method: 'POST', url: `${ORIGIN}/v1/push`, body }))) h[k.toLowerCase()] = v as string;
      return { method: 'POST', targetUri: `${ORIGIN}/v1/push`, header: (name: string) => h[name], body };
    });
    let cpuS = 0;
    let wallS = 0;
    for (let pass = 0; pass < passes; pass++) {
      const identity = await open();
      for (const r of requests.slice(0, 50)) await identity.verify(r); // warm: chain verdict cached, JIT
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const r of requests.slice(50)) await identity.verify(r);
      wallS += (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      cpuS += (cpu.user + cpu.system) / 1e6;
      await identity.close();
    }
    const count = perPass * passes;
    out[alg] = {
      verifications: count,
      per_cpu_second: Math.round(count / cpuS),
      per_wall_second: Math.round(count / wallS),
      us_per_verification_cpu: Math.round((cpuS / count) * 1e7) / 10,
      request_body_bytes: body.length,
      chain_certs: p.chain.length,
    };
  }
  return out;
}

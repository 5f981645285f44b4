// Chain verifications per second, one core: cold (parse + every signature + name
// constraints + CRL check), cold_parsed (the same with the certificates already parsed,
// as after a CRL change) and warm (ChainVerifier's cache hit, the signed-request path), for P-256 and RSA-4096 chains (4 certificates: leaf, 2
// intermediates, root; each issuer holds an empty CRL).
import { ChainVerifier } from '../../src/pki/chain-cache.js';
import { issueCrl, parseCrl, type ParsedCrl } from '../../src/pki/crl.js';
import { verifyChain } from '../../src/pki/verify.js';
import type { KeyAlg } from '../../src/pki/keys.js';
import { benchPki, perSecond } from './pki.js';

export async function run({ ms = 2000 }: { ms?: number } = {}): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const alg of ['p256', 'rsa4096'] as KeyAlg[]) {
    const p = await benchPki(alg, alg);
    const crl: ParsedCrl = parseCrl((await issueCrl({ issuer: { certificate: p.issuer.cert.pem, keys: p.issuer.keys }, revoked: [] })).pem);
    const crlFor = (issuer: { subject: string }) => (issuer.subject === crl.issuer ? crl : undefined);
    const [leaf, ...rest] = p.chain;
    const cold = perSecond(() => {
      if (!verifyChain(leaf!, rest, [p.root.der], { crlFor }).ok) throw new Error('chain refused');
    }, ms);
    // a verdict not cached, but the certificates already parsed (a new request after a CRL change)
    const reparse = new ChainVerifier({ anchors: [p.root.der], crlFor });
    const coldParsed = perSecond(() => {
      reparse.invalidate();
      if (!reparse.verify(p.chain).ok) throw new Error('chain refused');
    }, ms);
    const v = new ChainVerifier({ anchors: [p.root.der], crlFor });
    const warm = perSecond(() => {
      if (!v.verify(p.chain).ok) throw new Error('chain refused');
    }, ms);
    out[alg] = { cold_per_s: cold, cold_parsed_per_s: coldParsed, warm_per_s: warm, chain_certs: p.chain.length, chain_bytes: p.chain.reduce((n, d) => n + d.length, 0) };
  }
  return out;
}

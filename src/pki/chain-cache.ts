// A chain verifier with a warm cache, for the signed-request path: the same sender
// presents the same chain on every request, so its verdict is computed once and then
// looked up by the chain's hash. Bounded by entries and bytes; an entry lives at most
// `ttlMs` and never outside the chain's validity window. Call `invalidate()` whenever a
// CRL the `crlFor` callback returns changes (the verdicts depended on it).
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { parseCertificate, type ParsedCert } from './parse.js';
import { verifyChain, type CertInput, type ChainFailure, type ChainVerdict, type VerifyOptions } from './verify.js';

export interface ChainVerifierOptions extends Omit<VerifyOptions, 'at'> {
  anchors: CertInput[];
  /** How long a verdict is reused (default 60 s; CRLs are refreshed every ≤ 5 min). */
  ttlMs?: number;
  maxEntries?: number;
  /** Bound on the DER bytes the caches hold (default 16 MiB). */
  maxBytes?: number;
}

// Verdicts that change with the clock alone are never reused.
const TIME_BOUND = new Set<ChainFailure>(['EXPIRED', 'NOT_YET_VALID', 'CRL_EXPIRED', 'CRL_NOT_YET_VALID']);

interface Entry { verdict: ChainVerdict; bytes: number }

export class ChainVerifier {
  private readonly anchors: ParsedCert[];
  private readonly opts: ChainVerifierOptions;
  private readonly verdicts: LRUCache<string, Entry>;
  private readonly certs: LRUCache<string, ParsedCert>;
  readonly stats = { hits: 0, misses: 0 };

  constructor(opts: ChainVerifierOptions) {
    this.opts = opts;
    this.anchors = opts.anchors.map((a) => (typeof a === 'object' && 'fingerprint' in a ? a : parseCertificate(a)));
    const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
    this.verdicts = new LRUCache<string, Entry>({
      max: opts.maxEntries ?? 10_000, maxSize: maxBytes / 2, sizeCalculation: (e) => e.bytes + 200, ttl: opts.ttlMs ?? 60_000, ttlAutopurge: false,
    });
    // Parsed issuers are shared by many chains: cold verifications of new leaves reuse them.
    this.certs = new LRUCache<string, ParsedCert>({ max: 2_000, maxSize: maxBytes / 2, sizeCalculation: (c) => c.der.length * 4 + 500 });
  }

  /** Verifies `ders` = [leaf, ...issuers] (as in Steward-Certificate-Chain) at `at` (ms). */
  verify(ders: Uint8Array[], at = Date.now()): ChainVerdict {
    if (ders.length === 0) return { ok: false, reason: 'MALFORMED', detail: 'empty certificate chain', depth: 0 };
    const h = createHash('sha256');
    let bytes = 0;
    for (const d of ders) {
      h.update(String(d.length) + ':').update(d);
      bytes += d.length;
    }
    const key = h.digest('base64');
    const hit = this.verdicts.get(key);
    if (hit && (!hit.verdict.ok || (at >= hit.verdict.validFrom && at <= hit.verdict.validUntil))) {
      this.stats.hits++;
      return hit.verdict;
    }
    this.stats.misses++;
    let verdict: ChainVerdict;
    try {
      const [leaf, ...rest] = ders.map((d) => this.parsed(d));
      verdict = verifyChain(leaf!, rest, this.anchors, { ...this.opts, at });
    } catch (err) {
      verdict = { ok: false, reason: 'MALFORMED', detail: (err as Error).message, depth: 0 };
    }
    if (verdict.ok || !TIME_BOUND.has(verdict.reason)) {
      const ttl = verdict.ok ? Math.max(1, Math.min(this.opts.ttlMs ?? 60_000, verdict.validUntil - at)) : undefined;
      this.verdicts.set(key, { verdict, bytes }, { ttl });
    }
    return verdict;
  }

  /** Forget every verdict (a CRL changed, or the anchors' trust did). */
  invalidate(): void {
    this.verdicts.clear();
  }

  private parsed(der: Uint8Array): ParsedCert {
    const fp = createHash('sha256').update(der).digest('hex');
    let c = this.certs.get(fp);
    if (!c) {
      c = parseCertificate(der);
      this.certs.set(fp, c);
    }
    return c;
  }
}

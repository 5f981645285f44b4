// Our ancestors' CRLs (SPEC §5: "every verifier in the federation consults the CRLs along
// the chain, cached, refreshed at least every 5 minutes"). A background service of the
// node; each round, in order:
//   1. learn the ancestors' URLs: GET /v1/zone at the zone file's parent, then at each
//      parent it names, up to the root (zones checked: each answer must name the zone
//      asked for, and the next one up must enclose it; at most 16 steps)
//   2. for every certificate above ours in our chain (identity.ancestors()), the zone it
//      names → that registry's GET /v1/crl, through the peer client (timeout, size cap)
//   3. the CRL must parse and pass checkCrl against that certificate — the one in OUR
//      chain, not anything the peer sent — else it is ignored and the last good one kept
//   4. a CRL newer than the one held (thisUpdate) replaces it: identity.setAncestorCrl,
//      which drops the cached chain verdicts
// Our own CRL (the children we revoked) is local (Revocations). A round that fails is
// logged and retried at the next interval; what was learnt before stays in force.
import type { Logger } from 'pino';
import { isWithin, normalizeName } from '../names/index.js';
import type { PeerClient } from '../peer/index.js';
import { checkCrl, parseCrl, type ParsedCert, type ParsedCrl } from '../pki/index.js';
import type { NodeIdentity } from './node-identity.js';

export interface CrlRefreshOptions {
  identity: NodeIdentity;
  peer: PeerClient;
  /** The zone file's parent: where the walk up starts. */
  parent?: { zone: string; endpoints: { url: string }[] };
  intervalMs: number;
  log?: Logger;
  /** Largest CRL read (default 1 MiB). */
  maxCrlBytes?: number;
}

export interface RoundReport {
  /** Ancestor zone → what happened to its CRL this round. */
  [zone: string]: 'updated' | 'unchanged' | 'unreachable' | 'invalid' | 'no-url';
}

const MAX_STEPS = 16;
const ZONE_BYTES = 256 * 1024;

export class CrlRefresh {
  private timer?: NodeJS.Timeout;
  private running?: Promise<RoundReport>;
  private readonly held = new Map<string, ParsedCrl>();
  private closed = false;

  constructor(private readonly o: CrlRefreshOptions) {}

  start(): void {
    if (this.timer || this.closed) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.intervalMs);
    this.timer.unref();
  }

  /** One round now (or the one in progress). */
  refresh(): Promise<RoundReport> {
    this.running ??= this.round()
      .catch((err) => {
        this.o.log?.warn({ err }, 'ancestor CRL refresh failed');
        return {} as RoundReport;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<RoundReport> {
    const ancestors = this.o.identity.ancestors();
    const report: RoundReport = {};
    if (ancestors.length === 0 || !this.o.parent) return report;
    const urls = await this.walk();
    for (const cert of ancestors) {
      if (this.closed) break;
      const zone = cert.dnsNames[0];
      if (!zone) continue;
      const url = urls.get(zone);
      report[zone] = url ? await this.fetchOne(cert, zone, url) : 'no-url';
    }
    return report;
  }

  /** Zone → URL of every registry on the way up from our parent (as far as it answers). */
  private async walk(): Promise<Map<string, string>> {
    const urls = new Map<string, string>();
    let expect = this.o.parent!.zone;
    let candidates = this.o.parent!.endpoints.map((e) => e.url);
    for (let step = 0; step < MAX_STEPS && candidates.length; step++) {
      let next: { zone: string; urls: string[] } | undefined;
      for (const url of candidates.slice(0, 4)) {
        try {
          const { status, json } = await this.o.peer.getJson(new URL('/v1/zone', url), { maxBodyBytes: ZONE_BYTES });
          const z = json as { zone?: unknown; parent?: { zone?: unknown; endpoints?: { url?: unknown }[] } | null };
          if (status !== 200 || normalizeName(z.zone) !== expect) continue;
          urls.set(expect, url);
          const up = z.parent && typeof z.parent.zone === 'string' ? normalizeName(z.parent.zone) : undefined;
          const upUrls = Array.isArray(z.parent?.endpoints) ? z.parent.endpoints.flatMap((e) => (typeof e?.url === 'string' && /^https?:\/\//.test(e.url) ? [e.url] : [])) : [];
          if (up && up !== expect && isWithin(expect, up)) next = { zone: up, urls: upUrls };
          break;
        } catch (err) {
          this.o.log?.debug({ err, url }, 'ancestor /v1/zone unreachable');
        }
      }
      if (!next) break;
      expect = next.zone;
      candidates = next.urls;
    }
    return urls;
  }

  private async fetchOne(cert: ParsedCert, zone: string, url: string): Promise<RoundReport[string]> {
    let crl: ParsedCrl;
    try {
      const res = await this.o.peer.call(new URL('/v1/crl', url), { maxBodyBytes: this.o.maxCrlBytes ?? 1024 * 1024, headers: { accept: 'application/pkix-crl' } });
      if (res.status !== 200) return 'unreachable';
      crl = parseCrl(res.body.toString('latin1'));
    } catch (err) {
      this.o.log?.warn({ err: (err as Error).message, zone }, 'ancestor CRL unreachable or unreadable');
      return 'unreachable';
    }
    const problem = checkCrl(crl, cert, Date.now());
    if (problem) {
      this.o.log?.warn({ zone, problem }, 'ancestor CRL refused');
      return 'invalid';
    }
    const held = this.held.get(cert.fingerprint);
    if (held && (Buffer.compare(Buffer.from(held.der), Buffer.from(crl.der)) === 0 || crl.thisUpdate < held.thisUpdate)) return 'unchanged';
    this.held.set(cert.fingerprint, crl);
    this.o.identity.setAncestorCrl(cert, crl);
    this.o.log?.info({ zone, revoked: crl.revoked.size }, 'ancestor CRL updated');
    return 'updated';
  }
}

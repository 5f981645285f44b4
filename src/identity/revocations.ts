// The certificates this registry revoked (`steward-registry revoke`), kept durably, and the
// X.509 CRL it serves at GET /v1/crl, signed with the registry's key. The CRL is made
// again on every revocation and before its nextUpdate, so a verifier that refreshes every
// 5 minutes always finds a current one.
import { issueCrl, parseCrl, type ParsedCrl, type RegistryKeyPair } from '../pki/index.js';
import { DurableTable } from '../store/table.js';

export interface RevokedEntry { serial: string; zone: string; revoked_at: string; reason?: string }

const CRL_LIFETIME_MS = 24 * 3600_000;
const REFRESH_BEFORE_MS = 3600_000;

export class Revocations {
  private current?: { pem: string; parsed: ParsedCrl; nextUpdate: number };
  private making?: Promise<{ pem: string; parsed: ParsedCrl }>;
  private readonly listeners: (() => void)[] = [];

  private constructor(
    private readonly table: DurableTable<RevokedEntry>,
    private readonly issuer: { certificate: string; keys: RegistryKeyPair },
  ) {}

  static async open(issuer: { certificate: string; keys: RegistryKeyPair }, dir?: string, fsync = true): Promise<Revocations> {
    return new Revocations(await DurableTable.open<RevokedEntry>({ dir, fsync }), issuer);
  }

  isRevoked(serial: string): boolean {
    return this.table.has(serial.toLowerCase());
  }

  list(): RevokedEntry[] {
    return [...this.table.values()];
  }

  /** Called after a revocation is durable and the CRL made again. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  async revoke(serial: string, zone: string, reason?: string): Promise<RevokedEntry> {
    const entry: RevokedEntry = { serial: serial.toLowerCase(), zone, revoked_at: new Date().toISOString(), ...(reason ? { reason } : {}) };
    await this.table.put(entry.serial, entry);
    this.current = undefined;
    await this.crl();
    for (const fn of this.listeners) fn();
    return entry;
  }

  /** The current CRL (PEM and parsed), made when there is none or it is due. */
  async crl(): Promise<{ pem: string; parsed: ParsedCrl }> {
    const cur = this.current;
    if (cur && cur.nextUpdate - Date.now() > REFRESH_BEFORE_MS) return cur;
    this.making ??= (async () => {
      const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
      const { pem } = await issueCrl({
        issuer: this.issuer,
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + CRL_LIFETIME_MS),
        revoked: this.list().map((e) => ({ serialHex: e.serial, revokedAt: new Date(e.revoked_at), reason: 'cessationOfOperation' as const })),
      });
      const made = { pem, parsed: parseCrl(pem), nextUpdate: thisUpdate.getTime() + CRL_LIFETIME_MS };
      this.current = made;
      return made;
    })().finally(() => (this.making = undefined));
    return this.making;
  }

  /** The CRL made last (synchronous, for the chain verifier's crlFor). */
  latest(): ParsedCrl | undefined {
    return this.current?.parsed;
  }

  close(): Promise<void> {
    return this.table.close();
  }
}

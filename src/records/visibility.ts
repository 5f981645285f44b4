// Who may see a record (SPEC §2 `visibility`, §6 "Internal records are never sent,
// synced or answered outside their zone"): the one rule every outflow asks — resolve
// (rd=0 and recursive), GET /v1/agents/:name, discover (local, and the answer given to
// other registries' questions), sync pages and push entries.
//
// The audience is decided once per request (src/http/audience.ts) from cheap facts:
//   - another registry (the resolver header, a signed request, sync, push)  → outside
//   - a direct client whose address the zone's `policy.internal_clients`
//     (CIDR list, like BIND's match-clients; default loopback) counts in   → inside
//   - any other client                                                      → outside
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { StewardError } from '../errors/index.js';

export type Audience = 'inside' | 'outside';
export const INSIDE: Audience = 'inside';
export const OUTSIDE: Audience = 'outside';
/** Another registry is never inside a zone: what it is sent, it may pass on. */
export const REGISTRY: Audience = OUTSIDE;

/**
 * A public record is visible to everyone; anything else (internal, or a visibility this
 * version does not know) only inside its own zone.
 */
export function visibleTo(record: { readonly visibility?: unknown }, audience: Audience): boolean {
  return record.visibility === 'public' || audience === INSIDE;
}

/** Loopback only: what `policy.internal_clients` is when the zone file does not say. */
export const DEFAULT_INTERNAL_CLIENTS: readonly string[] = ['127.0.0.0/8', '::1'];

/** One CIDR (`10.0.0.0/8`, `fd00::/8`) or bare address; throws BAD_CONFIG saying why. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', bits, more] = text.trim().split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family || more !== undefined) throw new StewardError('BAD_CONFIG', `${JSON.stringify(text)} is not an address or CIDR block`);
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) throw new StewardError('BAD_CONFIG', `${JSON.stringify(text)}: prefix length must be 0 to ${max}`);
  return { address, prefix, family };
}

/** The set of client addresses a zone counts as inside. */
export class InternalClients {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  constructor(cidrs: readonly string[] = DEFAULT_INTERNAL_CLIENTS) {
    for (const c of cidrs) {
      const { address, prefix, family } = parseCidr(c);
      this.list.addSubnet(address, prefix, family);
    }
    this.empty = cidrs.length === 0;
  }

  /** Whether `address` (as the socket or X-Forwarded-For gives it) is inside. */
  includes(address: string | undefined): boolean {
    if (this.empty || !address) return false;
    const a = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address.split('%')[0]!;
    const family = isIPv4(a) ? 'ipv4' : isIPv6(a) ? 'ipv6' : undefined;
    return family !== undefined && this.list.check(a, family);
  }
}

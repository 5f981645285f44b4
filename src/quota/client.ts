// Who a request comes from, for per-client limits: the socket's remote address, cached on
// the socket (a keep-alive connection carries many requests). IPv6 clients count by /64,
// the block one host is usually given; IPv4-mapped addresses count as IPv4.
// X-Forwarded-For is believed only from peers the zone policy names (`trusted_proxies`).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const CLIENT = Symbol('steward.client');
type Tagged = Socket & { [CLIENT]?: string };

/** An address as a client key: IPv4 as is, IPv6 by its /64 prefix. */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  if (!address.includes(':')) return address;
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...front, ...Array(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back] : front;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export function socketClient(socket: Socket): string {
  const s = socket as Tagged;
  return (s[CLIENT] ??= clientKey(s.remoteAddress));
}

export class ClientIdentity {
  private readonly trusted: Set<string>;

  constructor(trustedProxies: readonly string[] = []) {
    this.trusted = new Set(trustedProxies.map(clientKey));
  }

  get trustsProxies(): boolean {
    return this.trusted.size > 0;
  }

  /** Whether `peer` (a client key) is a proxy whose X-Forwarded-For is believed. */
  isTrusted(peer: string): boolean {
    return this.trusted.has(peer);
  }

  /** The client behind `req`: its socket's peer, or the nearest untrusted X-Forwarded-For hop. */
  of(req: Pick<IncomingMessage, 'socket' | 'headers'>): string {
    const peer = socketClient(req.socket);
    if (this.trusted.size === 0 || !this.trusted.has(peer)) return peer;
    const hop = this.forwardedHop(req);
    return hop === undefined ? peer : clientKey(hop);
  }

  /**
   * The same client as of(), as an address rather than a key (an IPv6 /64 key cannot be
   * matched against a CIDR list): the socket's peer address, or the nearest untrusted hop.
   */
  address(req: Pick<IncomingMessage, 'socket' | 'headers'>): string | undefined {
    const peer = socketClient(req.socket);
    if (this.trusted.size === 0 || !this.trusted.has(peer)) return req.socket.remoteAddress;
    return this.forwardedHop(req) ?? req.socket.remoteAddress;
  }

  private forwardedHop(req: Pick<IncomingMessage, 'headers'>): string | undefined {
    const xff = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim().slice(0, 64);
      if (!hop) continue;
      if (!this.trusted.has(clientKey(hop))) return hop;
    }
    return undefined;
  }
}

// Where a registry may send requests. Endpoints learnt from other registries (referrals,
// delegations in /v1/zone) are hostile input: they must be bare origins, so that we only
// ever build our own /v1/ paths on them, and they must not point into loopback, private
// or link-local space unless the zone's policy allows it (`policy.upstreams.allow_private`,
// on in the demo, which runs on 127.0.0.1). DNS names that resolve to such addresses are
// caught when the connection is made (guardedLookup in client.ts), not here.
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, bits, 'ipv6');
// IPv4-mapped IPv6 (::ffff:a.b.c.d) needs no rule of its own: BlockList checks it against the IPv4 rules.

const MAX_URL = 2048;

/** True for loopback, private, link-local, CGNAT, multicast and reserved IP literals. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return blocked.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** True for a hostname (as URL gives it: IPv6 in brackets) that names this machine or a private network. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname.replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isPrivateAddress(host);
}

export interface OriginPolicy {
  /** Loopback and private targets allowed (the demo and tests); off for real deployments. */
  allowPrivate: boolean;
}

/**
 * Checks an endpoint URL another registry gave us; returns it as a bare origin
 * ("https://host:port") or the reason it is refused.
 */
export function peerOrigin(url: unknown, policy: OriginPolicy): { origin: string } | { refused: string } {
  if (typeof url !== 'string' || url.length > MAX_URL) return { refused: 'endpoint url is not a string of at most 2048 characters' };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { refused: `endpoint url ${JSON.stringify(url.slice(0, 100))} is not a URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { refused: `endpoint ${u.protocol} URL is not http(s)` };
  if (u.username || u.password) return { refused: 'endpoint url carries credentials' };
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || /[?#]/.test(url)) {
    return { refused: `endpoint ${u.origin} has a path, query or fragment (only origins are accepted; we ask /v1/ paths ourselves)` };
  }
  if (!policy.allowPrivate && isPrivateHost(u.hostname)) {
    return { refused: `endpoint ${u.origin} is a loopback or private address (policy.upstreams.allow_private is off)` };
  }
  return { origin: u.origin };
}

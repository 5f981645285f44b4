// The child's side of POST /v1/register (SPEC §5), shared by `steward-registry register`,
// `serve --namespace` on first start and the renewal service: learn the parent's zone
// from its GET /v1/zone, send a CSR for our key, and check what comes back before it is
// kept — the parent is another registry, so its answer is hostile until validated:
//   1. 2xx with {certificate, chain} as PEM strings (a problem+json becomes a StewardError
//      with the parent's status, code and detail; the network failing is SERVFAIL/timeout)
//   2. the certificate names our zone and carries our public key
//   3. the certificate chains through `chain` to the root at its end (the chain's last
//      certificate is the federation's anchor; name constraints and validity checked)
// Only certificate and chain are kept; every other field of the answer is dropped.
import { StewardError, type ErrorCode } from '../errors/index.js';
import { namespaceOf, normalizeName, zoneOf } from '../names/index.js';
import type { PeerClient, PeerResponse } from '../peer/index.js';
import { createCsr, parseCertificate, pemBundleToDers, derToPem, verifyChain, type RegistryKeyPair } from '../pki/index.js';
import type { Signer } from '../pki/httpsig/index.js';
import type { RegionEndpoint } from '../records/types.js';
import { keyFingerprint } from './node-identity.js';

export interface ParentZone {
  zone: string;
  namespace: string;
  rootDomain: string;
}

export interface EnrolRequest {
  parentUrl: string;
  namespace: string;
  rootDomain: string;
  keys: RegistryKeyPair;
  endpoints: RegionEndpoint[];
  token?: string;
  /** Signs the request with our current certificate: the parent takes it as a renewal. */
  signer?: Signer;
}

export interface Enrolled {
  zone: string;
  certificatePem: string;
  /** Issuers up to and including the root, nearest first. */
  chainPems: string[];
  notBefore: Date;
  notAfter: Date;
  renewed: boolean;
  ms: number;
}

const origin = (url: string) => new URL(url).origin;

/** A problem+json (or any non-2xx) from another registry, as a StewardError with its status. */
export function remoteProblem(res: PeerResponse, url: string): StewardError {
  let p: Record<string, unknown> = {};
  try {
    const j = JSON.parse(res.body.toString('utf8'));
    if (j && typeof j === 'object') p = j;
  } catch { /* not JSON */ }
  const code = typeof p.code === 'string' && /^[A-Z_]{1,40}$/.test(p.code) ? (p.code as ErrorCode) : res.status >= 500 ? 'SERVFAIL' : 'BAD_REQUEST';
  const detail = typeof p.detail === 'string' ? p.detail.slice(0, 500) : `HTTP ${res.status} from ${origin(url)}`;
  return new StewardError(code, detail, { remote: origin(url), shownTitle: typeof p.title === 'string' ? p.title.slice(0, 200) : undefined }, res.status);
}

const lame = (url: string, why: string) => new StewardError('LAME_ANSWER', `${origin(url)}: ${why}`);

/** The parent's zone and root domain, from its GET /v1/zone. */
export async function parentZone(peer: PeerClient, parentUrl: string): Promise<ParentZone> {
  const url = `${origin(parentUrl)}/v1/zone`;
  const res = await peer.call(url);
  if (res.status !== 200) throw remoteProblem(res, url);
  let j: { zone?: unknown; namespace?: unknown };
  try {
    j = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw lame(url, 'GET /v1/zone is not JSON');
  }
  if (typeof j?.zone !== 'string' || typeof j.namespace !== 'string') throw lame(url, 'GET /v1/zone does not name its zone and namespace');
  const zone = normalizeName(j.zone);
  const namespace = j.namespace === '' ? '' : normalizeName(j.namespace);
  const rootDomain = namespace === '' ? zone : zone.slice(namespace.length + 1);
  if (!rootDomain || zoneOf(namespace, rootDomain) !== zone) throw lame(url, `zone ${zone} does not end in its namespace ${namespace}`);
  return { zone, namespace, rootDomain };
}

/** The zone a namespace asks for, canonical; a namespace outside the root domain is a usage error. */
export function childZoneOf(namespace: string, rootDomain: string): string {
  const ns = normalizeName(namespace);
  const zone = ns.endsWith(`.${rootDomain}`) ? ns : zoneOf(ns, rootDomain);
  namespaceOf(zone, rootDomain);
  return zone;
}

/** Registers (or renews) `namespace` with the parent and returns the checked certificate and chain. */
export async function enrol(peer: PeerClient, req: EnrolRequest): Promise<Enrolled> {
  const zone = childZoneOf(req.namespace, req.rootDomain);
  const url = `${origin(req.parentUrl)}/v1/register`;
  const body = JSON.stringify({ namespace: namespaceOf(zone, req.rootDomain), csr: await createCsr(zone, req.keys), endpoints: req.endpoints, ...(req.token ? { token: req.token } : {}) });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (req.signer) Object.assign(headers, req.signer.sign({ method: 'POST', url, body }));
  const started = performance.now();
  const res = await peer.call(url, { method: 'POST', headers, body });
  const ms = performance.now() - started;
  if (res.status !== 200 && res.status !== 201) throw remoteProblem(res, url);
  let j: { certificate?: unknown; chain?: unknown };
  try {
    j = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw lame(url, 'the register answer is not JSON');
  }
  if (typeof j?.certificate !== 'string' || !Array.isArray(j.chain) || j.chain.length === 0 || j.chain.length > 16 || !j.chain.every((p) => typeof p === 'string')) {
    throw lame(url, 'the register answer lacks a PEM certificate and chain');
  }
  let cert: ReturnType<typeof parseCertificate>;
  let chainPems: string[];
  try {
    cert = parseCertificate(j.certificate);
    chainPems = (j.chain as string[]).flatMap((p) => pemBundleToDers(p)).map((d) => derToPem(d));
  } catch (err) {
    throw lame(url, `the register answer's certificates do not parse (${(err as Error).message})`);
  }
  if (keyFingerprint(cert.publicKey) !== keyFingerprint(req.keys.publicKey)) throw lame(url, 'the issued certificate is not for our key');
  const v = verifyChain(cert, chainPems.slice(0, -1), [chainPems.at(-1)!]);
  if (!v.ok) throw lame(url, `the issued chain does not verify: ${v.reason} ${v.detail}`);
  if (v.zone !== zone) throw lame(url, `the issued certificate names ${v.zone}, not ${zone}`);
  return { zone, certificatePem: derToPem(cert.der), chainPems, notBefore: new Date(cert.notBefore), notAfter: new Date(cert.notAfter), renewed: res.status === 200, ms };
}

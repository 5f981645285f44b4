// POST /v1/register (SPEC §5): a child registry asks this zone for a namespace one label
// below it. The checks run in this order, and the first failure answers:
//   1. the body: namespace, a PEM CSR, endpoints, optional token      400
//   2. the CSR: a well-formed PKCS#10 whose signature proves the key   400 BAD_CSR
//      and that names the child zone (CN and SAN)
//   3. the namespace is exactly one label below ours                   400 BAD_NAME
//   4. not taken: no agent with that label, no delegation to another   409 NAMESPACE_TAKEN
//      key (the same key, or a request signed by the child, renews)
//   5. not confusable with an agent or a sibling zone                  422 NAMESPACE_CONFUSABLE
//   6. allowed by policy.register ("open", or a one-time token)        403 REGISTER_FORBIDDEN
// then the certificate is issued, the delegation recorded durably, and the chain returned.
import { Ajv } from 'ajv';
import { StewardError } from '../errors/index.js';
import { childLabel, normalizeName, zoneOf } from '../names/index.js';
import type { RegionEndpoint } from '../records/types.js';
import type { Delegations } from '../topology/delegations.js';
import type { RegisterTokens } from './tokens.js';

/** What registering needs from the zone's PKI (src/identity/node-identity.ts provides it). */
export interface Issuer {
  /** Verifies a CSR's proof of possession; the zone it asks for and its key's SPKI fingerprint. */
  inspectCsr(csrPem: string): Promise<{ zone: string; keyFingerprint: string }>;
  /** Issues a child certificate for `zone` to the CSR's key. */
  issue(csrPem: string, zone: string): Promise<{ certificate: string; serial: string; notAfter: string; fingerprint: string; keyFingerprint: string }>;
  /** This registry's certificate, then its issuers up to and including the root (PEM). */
  chain(): string[];
}

export interface RegistrarDeps {
  zone: string;
  rootDomain: string;
  policy: 'open' | 'token';
  delegations: Delegations;
  issuer: Issuer;
  tokens: RegisterTokens;
  /** An agent label of this zone that `label` is confusable with (or equal to). */
  confusableWith(label: string): string | undefined;
  hasAgent(label: string): boolean;
  /** Checks a child's endpoint URL (scheme, origin-only, address policy); throws a 400. */
  checkEndpoint?(url: string): void;
}

export interface RegisterResult {
  certificate: string;
  chain: string[];
  delegation: { zone: string; endpoints: RegionEndpoint[]; fingerprint: string; certificate: string };
  renewed: boolean;
}

const endpoint = {
  type: 'object', required: ['url'], additionalProperties: false,
  properties: { url: { type: 'string', minLength: 8, maxLength: 2048 }, region: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } },
};
const validateBody = new Ajv({ allErrors: true, strict: false }).compile({
  type: 'object', required: ['namespace', 'csr', 'endpoints'], additionalProperties: false,
  properties: {
    namespace: { type: 'string', minLength: 1, maxLength: 253 },
    csr: { type: 'string', minLength: 1, maxLength: 16_384 },
    endpoints: { type: 'array', items: endpoint, minItems: 1, maxItems: 16 },
    token: { type: 'string', maxLength: 256 },
  },
});

function defaultEndpointCheck(url: string) {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StewardError('BAD_REQUEST', `endpoint ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new StewardError('BAD_REQUEST', `endpoint ${url} is not http(s)`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password) {
    throw new StewardError('BAD_REQUEST', `endpoint ${url} must be an origin (scheme://host:port), without path, query or credentials`);
  }
}

export class Registrar {
  constructor(private readonly deps: RegistrarDeps) {}

  /** `sender`: the verified zone of a signed request (a child renewing), if it was signed. */
  async register(body: unknown, sender?: { zone: string }): Promise<RegisterResult> {
    const { deps } = this;
    if (!validateBody(body)) {
      const detail = validateBody.errors!.map((e) => `${e.instancePath || '(body)'} ${e.message}`).join('; ');
      throw new StewardError('BAD_REQUEST', `register body: ${detail}`);
    }
    const req = body as { namespace: string; csr: string; endpoints: RegionEndpoint[]; token?: string };
    for (const e of req.endpoints) (deps.checkEndpoint ?? defaultEndpointCheck)(e.url);
    const endpoints = req.endpoints.map((e) => ({ url: e.url.replace(/\/$/, ''), ...(e.region ? { region: e.region } : {}) }));

    const namespace = normalizeName(req.namespace);
    const childZone = zoneOf(namespace, deps.rootDomain);
    const csr = await deps.issuer.inspectCsr(req.csr);
    if (csr.zone !== childZone) throw new StewardError('BAD_CSR', `the CSR names ${csr.zone}, but the namespace ${namespace} is zone ${childZone}`);

    const label = childLabel(childZone, deps.zone);
    if (!label || childZone !== `${label}.${deps.zone}`) {
      const why = childZone.endsWith(`.${deps.zone}`) ? 'more than one label below' : 'not below';
      throw new StewardError('BAD_NAME', `namespace ${namespace} is ${why} this registry's zone ${deps.zone}; register it with the registry of its parent zone`);
    }

    const existing = deps.delegations.entry(childZone);
    let renewed = false;
    if (existing?.state === 'withdrawn') {
      throw new StewardError('REGISTER_FORBIDDEN', `${childZone} was revoked (${existing.reason ?? 'no reason given'}); ask this registry's operator`);
    }
    if (existing) {
      const byChild = sender?.zone === childZone;
      const sameKey = existing.key_fingerprint === csr.keyFingerprint;
      if (!byChild && !sameKey) throw new StewardError('NAMESPACE_TAKEN', `${namespace} is already registered (zone ${childZone}) to another key`, { zone: childZone });
      renewed = true;
    } else {
      if (deps.hasAgent(label)) throw new StewardError('NAMESPACE_TAKEN', `${label} is an agent of ${deps.zone}; a child zone cannot take its label`, { zone: childZone });
      const clash = deps.confusableWith(label);
      if (clash && clash !== label) {
        throw new StewardError('NAMESPACE_CONFUSABLE', `${namespace} is confusable with ${clash}.${deps.zone}`, { existing: `${clash}.${deps.zone}` });
      }
      if (deps.policy === 'token') await deps.tokens.consume(req.token, namespace);
    }

    const issued = await deps.issuer.issue(req.csr, childZone);
    await deps.delegations.put({
      zone: childZone,
      endpoints,
      certificate: issued.certificate,
      fingerprint: issued.fingerprint,
      serial: issued.serial,
      not_after: issued.notAfter,
      key_fingerprint: issued.keyFingerprint,
      source: 'register',
    });
    return {
      certificate: issued.certificate,
      chain: deps.issuer.chain(),
      delegation: { zone: childZone, endpoints, fingerprint: issued.fingerprint, certificate: issued.certificate },
      renewed,
    };
  }
}

// JSON Schema of a zone file (SPEC §7). Validated at start; a bad file stops the node
// with a message naming the field.
const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const zoneName = { type: 'string', pattern: `^${label}(?:\\.${label})*$`, maxLength: 253 };
const url = { type: 'string', pattern: '^https?://[^\\s/$.?#][^\\s]*$', maxLength: 2048 };
const region = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' };
const endpoint = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url, region },
};
const ttlSeconds = { type: 'integer', minimum: 0, maximum: 604_800 };
// A rate (src/quota): `points` per `per_seconds`, or false to turn it off.
const rate = {
  oneOf: [
    { const: false },
    {
      type: 'object',
      required: ['points', 'per_seconds'],
      additionalProperties: false,
      properties: { points: { type: 'integer', minimum: 1, maximum: 10_000_000 }, per_seconds: { type: 'integer', minimum: 1, maximum: 86_400 } },
    },
  ],
};
const limits = {
  type: 'object',
  additionalProperties: false,
  properties: {
    publish_per_key: rate,
    publish_per_client: rate,
    names_per_key: { oneOf: [{ const: false }, { type: 'integer', minimum: 1, maximum: 10_000_000 }] },
    reads_per_client: rate,
    trusted_proxies: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 64 },
  },
};

export const zoneFileSchema = {
  type: 'object',
  required: ['zone', 'listen'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    zone: zoneName,
    root_domain: zoneName,
    parent: {
      type: 'object',
      required: ['zone', 'url'],
      additionalProperties: false,
      properties: { zone: zoneName, url, endpoints: { type: 'array', items: endpoint, maxItems: 16 } },
    },
    listen: {
      type: 'object',
      required: ['port'],
      additionalProperties: false,
      properties: { host: { type: 'string', minLength: 1, maxLength: 255 }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
    },
    region,
    /** Regions on one machine: the node holds every answer back this long (a simulated distance). */
    delay_ms: { type: 'integer', minimum: 0, maximum: 10_000 },
    /** Mutual TLS (SPEC §5): PEM files of the server certificate (with its issuers) and key; relative to the zone file. */
    tls: {
      type: 'object',
      required: ['cert', 'key'],
      additionalProperties: false,
      properties: { cert: { type: 'string', minLength: 1, maxLength: 4096 }, key: { type: 'string', minLength: 1, maxLength: 4096 } },
    },
    replicas: { type: 'array', items: endpoint, maxItems: 32 },
    /** How `federation up` joins this zone to its parent: `register` = POST /v1/register at start (SPEC §5); default: the parent's delegations. */
    join: { enum: ['delegation', 'register'] },
    /** How often the zone's replicas run anti-entropy with each other (SPEC §6; default 300). */
    anti_entropy_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
    delegations: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['zone', 'endpoints'],
        additionalProperties: false,
        properties: {
          zone: zoneName,
          endpoints: { type: 'array', items: endpoint, minItems: 1, maxItems: 16 },
          fingerprint: { type: 'string' },
          certificate: { type: 'string' },
        },
      },
    },
    agents: { type: 'array', items: { type: 'object' }, maxItems: 100_000 },
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        publishers: {
          oneOf: [
            { const: 'any' },
            { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10_000 },
          ],
        },
        verified: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10_000 },
        /** Client addresses (CIDR blocks) that count as inside the zone and see its internal records; default loopback. */
        internal_clients: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 256 },
        ttl: {
          type: 'object',
          additionalProperties: false,
          properties: { agent: ttlSeconds, referral: ttlSeconds, negative: ttlSeconds },
        },
        limits,
        /** Who may register a child zone (SPEC §5): anyone, or holders of a one-time token. */
        register: { enum: ['open', 'token'] },
        /** Lifetime of certificates issued to children (default one year). */
        certificate_lifetime_seconds: { type: 'integer', minimum: 5, maximum: 10 * 366 * 86_400 },
        // Other registries: may their referrals and delegations point at loopback,
        // private or link-local addresses? Off by default; the demo (all on 127.0.0.1) turns it on.
        upstreams: {
          type: 'object',
          additionalProperties: false,
          properties: { allow_private: { type: 'boolean' } },
        },
        /** SPEC §6 delivery: push changes to the parent (default true); pull children every N seconds (default 6 h). */
        federation: {
          type: 'object',
          additionalProperties: false,
          properties: { push: { type: 'boolean' }, pull_interval_seconds: { type: 'integer', minimum: 1, maximum: 604_800 } },
        },
      },
    },
  },
} as const;

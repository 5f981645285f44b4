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
    replicas: { type: 'array', items: endpoint, maxItems: 32 },
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
        ttl: {
          type: 'object',
          additionalProperties: false,
          properties: { agent: ttlSeconds, referral: ttlSeconds, negative: ttlSeconds },
        },
        // Other registries: may their referrals and delegations point at loopback,
        // private or link-local addresses? Off by default; the demo (all on 127.0.0.1) turns it on.
        upstreams: {
          type: 'object',
          additionalProperties: false,
          properties: { allow_private: { type: 'boolean' } },
        },
      },
    },
  },
} as const;

// One place for errors. Every failure the product reports carries a stable `code`
// and an HTTP status; the HTTP layer maps it to application/problem+json (RFC 9457)
// and the CLI maps it to an exit code.

export type ErrorCode =
  | 'BAD_NAME'
  | 'BAD_REQUEST'
  | 'REQUEST_TIMEOUT'
  | 'BAD_JSON'
  | 'BAD_JWS'
  | 'BAD_SIGNATURE'
  | 'SCHEMA_VIOLATION'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_FOUND'
  | 'NXDOMAIN'
  | 'NOT_AUTHORITATIVE'
  | 'VERSION_NOT_RISING'
  | 'KEY_MISMATCH'
  | 'VERSION_MISMATCH'
  | 'CONFUSABLE_NAME'
  | 'NAME_CONFLICT'
  | 'METHOD_NOT_ALLOWED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'LOOP_DETECTED'
  | 'TOO_MANY_REFERRALS'
  | 'SERVFAIL'
  | 'UPSTREAM_TIMEOUT'
  | 'BAD_CONFIG'
  | 'USAGE'
  | 'LAME_ANSWER'
  | 'STORE_CORRUPT'
  | 'STORAGE_FULL'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'WRONG_NAMESPACE'
  | 'DATA_LOSS'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'CERT_INVALID'
  | 'CLOCK_SKEW'
  | 'REPLAY'
  | 'NOT_PERMITTED'
  | 'NAMESPACE_TAKEN'
  | 'NAMESPACE_CONFUSABLE'
  | 'REGISTER_FORBIDDEN'
  | 'BAD_CSR'
  | 'BAD_CERTIFICATE'
  | 'NONCE_STORE_DOWN'
  | 'UNAVAILABLE'
  | 'INTERNAL';

const TITLES: Record<ErrorCode, string> = {
  BAD_NAME: 'Malformed name',
  BAD_REQUEST: 'Bad request',
  REQUEST_TIMEOUT: 'Request not received in time',
  BAD_JSON: 'Malformed JSON',
  BAD_JWS: 'Malformed JWS',
  BAD_SIGNATURE: 'Signature does not verify',
  SCHEMA_VIOLATION: 'Manifest does not match the schema',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  NOT_FOUND: 'Not found',
  NXDOMAIN: 'No such agent',
  NOT_AUTHORITATIVE: 'Name is not in this zone',
  VERSION_NOT_RISING: 'Version must be greater than the published one',
  KEY_MISMATCH: 'Signed by a different key than the published versions',
  VERSION_MISMATCH: 'Version does not match the published one',
  CONFUSABLE_NAME: 'Name is confusable with an existing agent',
  NAME_CONFLICT: 'Name is already in use',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  UNAUTHORIZED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  LOOP_DETECTED: 'Referral loop detected',
  TOO_MANY_REFERRALS: 'Referral chain too long',
  SERVFAIL: 'Upstream registries failed',
  UPSTREAM_TIMEOUT: 'Upstream registry timed out',
  BAD_CONFIG: 'Invalid configuration',
  USAGE: 'Usage error',
  LAME_ANSWER: 'Upstream registry gave a malformed answer',
  STORE_CORRUPT: 'Store is corrupt',
  STORAGE_FULL: 'Storage is full',
  RATE_LIMITED: 'Too many requests',
  QUOTA_EXCEEDED: 'Quota exceeded',
  WRONG_NAMESPACE: 'Manifest names another namespace',
  DATA_LOSS: 'Stored data would be lost',
  SIGNATURE_MISSING: 'Request is not signed',
  SIGNATURE_INVALID: 'Request signature does not verify',
  CERT_INVALID: 'Certificate chain is not valid',
  CLOCK_SKEW: 'Signature time is outside the allowed window',
  REPLAY: 'Request was already seen',
  NOT_PERMITTED: 'Sender may not do this',
  NAMESPACE_TAKEN: 'Namespace is already registered',
  NAMESPACE_CONFUSABLE: 'Namespace is confusable with an existing one',
  REGISTER_FORBIDDEN: 'Registration is not allowed',
  BAD_CSR: 'Malformed certificate signing request',
  BAD_CERTIFICATE: 'Malformed certificate',
  NONCE_STORE_DOWN: 'Replay protection is unavailable',
  UNAVAILABLE: 'Service unavailable',
  INTERNAL: 'Internal error',
};

const STATUS: Record<ErrorCode, number> = {
  BAD_NAME: 400, BAD_REQUEST: 400, REQUEST_TIMEOUT: 408, BAD_JSON: 400, BAD_JWS: 400, BAD_SIGNATURE: 400,
  SCHEMA_VIOLATION: 400, UNSUPPORTED_MEDIA_TYPE: 415, PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404, NXDOMAIN: 404, NOT_AUTHORITATIVE: 421, VERSION_NOT_RISING: 409,
  KEY_MISMATCH: 409, VERSION_MISMATCH: 409, CONFUSABLE_NAME: 422, NAME_CONFLICT: 409, METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401, FORBIDDEN: 403, LOOP_DETECTED: 502, TOO_MANY_REFERRALS: 502,
  SERVFAIL: 502, UPSTREAM_TIMEOUT: 504, BAD_CONFIG: 500, USAGE: 400, LAME_ANSWER: 502, STORE_CORRUPT: 500, INTERNAL: 500,
  STORAGE_FULL: 507, RATE_LIMITED: 429, QUOTA_EXCEEDED: 429, WRONG_NAMESPACE: 422, DATA_LOSS: 500, SIGNATURE_MISSING: 401, SIGNATURE_INVALID: 401, CERT_INVALID: 401, CLOCK_SKEW: 401, REPLAY: 401, NOT_PERMITTED: 403, NAMESPACE_TAKEN: 409, NAMESPACE_CONFUSABLE: 422, REGISTER_FORBIDDEN: 403, BAD_CSR: 400, BAD_CERTIFICATE: 400, NONCE_STORE_DOWN: 503, UNAVAILABLE: 503,
};

export class StewardError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  /** Extra members for the problem document (e.g. `existing` for CONFUSABLE_NAME). */
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}, status?: number) {
    super(detail);
    this.name = 'StewardError';
    this.code = code;
    this.status = status ?? STATUS[code];
    this.title = TITLES[code];
    this.extra = extra;
  }
}

export const fail = (code: ErrorCode, detail: string, extra?: Record<string, unknown>): never => {
  throw new StewardError(code, detail, extra);
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  [k: string]: unknown;
}

export function toProblem(err: unknown): Problem {
  if (err instanceof StewardError) {
    return {
      type: `https://steward-registry.org/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
      title: err.title,
      status: err.status,
      detail: err.message,
      code: err.code,
      ...err.extra,
    };
  }
  return {
    type: 'https://steward-registry.org/problems/internal',
    title: TITLES.INTERNAL,
    status: 500,
    detail: 'internal error',
    code: 'INTERNAL',
  };
}

// One place for errors. Every failure the product reports carries a stable `code`
// and an HTTP status; the HTTP layer maps it to application/problem+json (RFC 9457)
// and the CLI maps it to an exit code.

export type ErrorCode =
  | 'BAD_NAME'
  | 'BAD_REQUEST'
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
  | 'INTERNAL';

const TITLES: Record<ErrorCode, string> = {
  BAD_NAME: 'Malformed name',
  BAD_REQUEST: 'Bad request',
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
  INTERNAL: 'Internal error',
};

const STATUS: Record<ErrorCode, number> = {
  BAD_NAME: 400, BAD_REQUEST: 400, BAD_JSON: 400, BAD_JWS: 400, BAD_SIGNATURE: 400,
  SCHEMA_VIOLATION: 400, UNSUPPORTED_MEDIA_TYPE: 415, PAYLOAD_TOO_LARGE: 413,
  NOT_FOUND: 404, NXDOMAIN: 404, NOT_AUTHORITATIVE: 421, VERSION_NOT_RISING: 409,
  KEY_MISMATCH: 409, VERSION_MISMATCH: 409, CONFUSABLE_NAME: 422, NAME_CONFLICT: 409, METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401, FORBIDDEN: 403, LOOP_DETECTED: 502, TOO_MANY_REFERRALS: 502,
  SERVFAIL: 502, UPSTREAM_TIMEOUT: 504, BAD_CONFIG: 500, USAGE: 400, LAME_ANSWER: 502, STORE_CORRUPT: 500, INTERNAL: 500,
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

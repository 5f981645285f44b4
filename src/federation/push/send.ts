// Sending a batch of changes up to the parent (SPEC §6 push): a signed POST /v1/push
// through the node's signed peer client. The answer is another registry's, so only the
// fields SPEC defines are kept, each checked; anything else is a LAME_ANSWER. A refusal
// (4xx/5xx problem) is a SERVFAIL StewardError whose extra carries the parent's status
// and code (peer_status, peer_code), for the outbox (federation issue) to decide whether
// to retry.
import { StewardError } from '../../errors/index.js';
import type { PeerClient } from '../../peer/index.js';
import type { PushEntry, Rejected } from './entries.js';

export interface PushResult {
  accepted: number;
  duplicates: number;
  rejected: Rejected[];
}

const MAX_REJECTED = 1_000;
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const short = (x: unknown, n: number) => (typeof x === 'string' ? x.slice(0, n) : null);

export async function pushToParent(signed: PeerClient, parentUrl: string, zone: string, entries: PushEntry[]): Promise<PushResult> {
  const url = new URL('/v1/push', parentUrl);
  const { status, json } = await signed.signedJson('POST', url, { zone, entries });
  const body = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  if (status !== 200) {
    const code = typeof body.code === 'string' && /^[A-Z_]{1,40}$/.test(body.code) ? body.code : null;
    throw new StewardError('SERVFAIL', `${url.origin} refused the push (HTTP ${status} ${code ?? ''}): ${short(body.detail, 300) ?? 'no detail'}`, { peer_status: status, peer_code: code });
  }
  const { accepted, duplicates, rejected } = body;
  if (!isCount(accepted) || !isCount(duplicates) || !Array.isArray(rejected) || rejected.length > MAX_REJECTED) {
    throw new StewardError('LAME_ANSWER', `${url.origin} answered the push with a body that is not {accepted, duplicates, rejected}`);
  }
  return {
    accepted,
    duplicates,
    rejected: rejected.map((r) => {
      const o = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
      return { id: short(o.id, 300), code: short(o.code, 40) ?? 'UNKNOWN', detail: short(o.detail, 500) ?? '' };
    }),
  };
}

// One page of a child's GET /v1/sync, read as hostile (SPEC §6): only {entries, next,
// serial} are kept, each checked; entries become candidate push entries
// (subtree/sync-entries.ts) that the puller then checks like a push (push/entries.ts).
import { StewardError } from '../../errors/index.js';
import type { PeerClient } from '../../peer/index.js';
import { pushEntryOfSync } from '../subtree/sync-entries.js';

export interface PulledPage {
  /** Candidate push entries (unchecked: hostile until checkPushEntries). */
  candidates: unknown[];
  /** Entries on the page, including those that carry nothing to apply. */
  entries: number;
  next: number;
  serial: number;
}

const isSeq = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

export async function pullPage(signed: PeerClient, baseUrl: string, since: number, limit: number): Promise<PulledPage> {
  const url = new URL('/v1/sync', baseUrl);
  url.searchParams.set('since', String(since));
  url.searchParams.set('limit', String(limit));
  const { status, json } = await signed.signedJson('GET', url);
  const body = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  if (status !== 200) {
    const code = typeof body.code === 'string' && /^[A-Z_]{1,40}$/.test(body.code) ? body.code : null;
    const detail = typeof body.detail === 'string' ? body.detail.slice(0, 300) : 'no detail';
    throw new StewardError('SERVFAIL', `${url.origin} refused the sync pull (HTTP ${status} ${code ?? ''}): ${detail}`, { peer_status: status, peer_code: code });
  }
  const { entries, next, serial } = body;
  if (!Array.isArray(entries) || entries.length > limit || !isSeq(next) || !isSeq(serial)) {
    throw new StewardError('LAME_ANSWER', `${url.origin} answered the sync pull with a body that is not {entries (at most ${limit}), next, serial}`);
  }
  if (entries.length > 0 && next <= since) throw new StewardError('LAME_ANSWER', `${url.origin} served entries after ${since} but says next is ${next}`);
  const candidates: unknown[] = [];
  for (const e of entries) {
    const c = pushEntryOfSync(e);
    if (c !== undefined) candidates.push(c);
  }
  return { candidates, entries: entries.length, next, serial };
}

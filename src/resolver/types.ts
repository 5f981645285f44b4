// Resolve answers (SPEC §3). One shape for the wire and for in-process use.
import type { AgentRecord, RegionEndpoint } from '../records/types.js';

export interface Referral {
  zone: string;
  endpoints: RegionEndpoint[];
  ttl: number;
  certificate?: string;
}

export type AnswerSource = 'authoritative' | 'cache' | 'stale';

export interface NoErrorAnswer {
  status: 'NOERROR';
  name: string;
  answer: AgentRecord;
  ttl: number;
  source: AnswerSource;
  zone: string;
  path: string[];
}

export interface NxDomainAnswer {
  status: 'NXDOMAIN';
  name: string;
  zone: string;
  ttl: number;
  source?: AnswerSource;
  path?: string[];
}

export interface ReferralAnswer {
  status: 'REFERRAL';
  name: string;
  referral: Referral;
}

export type LocalAnswer = NoErrorAnswer | NxDomainAnswer | ReferralAnswer;
export type ResolveAnswer = NoErrorAnswer | NxDomainAnswer;

/** What the authoritative stage needs to know about the zone it serves. */
export interface ZoneView {
  zone: string;
  rootDomain: string;
  /** The parent zone and its endpoints; absent at the root. */
  parent?: { zone: string; endpoints: RegionEndpoint[] };
  ttl: { agent: number; referral: number; negative: number };
  getAgent(label: string): AgentRecord | undefined;
  /** The delegation whose zone is exactly `childZone`, if this zone delegates it. */
  getDelegation(childZone: string): { zone: string; endpoints: RegionEndpoint[]; certificate?: string } | undefined;
}

/**
 * One step of a recursive resolution, for `steward resolve --trace` (like dig +trace).
 * `local`: answered from this node's own zone data; `cache`: a cached answer or referral
 * was used; `query`: an upstream endpoint was asked; `stale`: an expired entry was served.
 */
export interface TraceStep {
  kind: 'local' | 'cache' | 'query' | 'stale';
  zone: string;
  outcome: 'NOERROR' | 'NXDOMAIN' | 'REFERRAL' | 'FAILED';
  /** The endpoint asked (kind `query`). */
  endpoint?: string;
  /** The zone referred to (outcome `REFERRAL`). */
  referral?: string;
  /** TTL in seconds of what was learnt or served (remaining TTL for cache hits). */
  ttl?: number;
  rtt_ms?: number;
  error?: string;
}

/** What the recursive resolver returns: the SPEC answer plus, when asked, the trace. */
export type ResolveResult = ResolveAnswer & { trace?: TraceStep[] };

// What the discover indexes are keyed by. The same functions cut up records when they
// are indexed and queries when they are answered, so the two always agree.
import type { AgentRecord } from '../records/types.js';

// Words too common to narrow anything; indexing them would cost a posting per agent.
const STOP = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'into', 'is', 'it',
  'its', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'with',
]);
const SPLIT = /[^\p{L}\p{N}]+/u;
const SPLIT_ASCII = /[^a-z0-9]+/;
const ASCII = /^[\x00-\x7f]*$/;
const MAX_WORDS = 64;

/** Bump when the rules below change: snapshots store tokens and are re-cut when it differs. */
export const TOKEN_RULES = 1;

/** Lowercase words of free text, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  // The Unicode-aware split is several times slower; most text is ASCII.
  for (const w of lower.split(ASCII.test(lower) ? SPLIT_ASCII : SPLIT)) {
    if (w.length > 0 && w.length <= 64 && !STOP.has(w)) out.push(w);
  }
  return out;
}

/** Capability tokens, lowercase and deduplicated. */
export function capabilityTokens(record: Pick<AgentRecord, 'capabilities'>): string[] {
  return [...new Set((record.capabilities ?? []).map((c) => String(c).toLowerCase()))];
}

/**
 * Keywords of a record: the words of its name (split on - _ .), of its description, and
 * of its capabilities and tags, so "sdlc planning" finds an agent whose capability is
 * `orchestrate_sdlc` and `planning`.
 */
export function keywordTokens(record: Pick<AgentRecord, 'name' | 'description' | 'capabilities' | 'tags'>): string[] {
  const set = new Set<string>(words(record.name));
  for (const c of record.capabilities ?? []) for (const w of words(String(c))) set.add(w);
  for (const t of record.tags ?? []) for (const w of words(String(t))) set.add(w);
  let n = 0;
  for (const w of words(record.description ?? '')) {
    if (n++ >= MAX_WORDS) break;
    set.add(w);
  }
  return [...set];
}

// What the discover indexes are keyed by. The same functions cut up records when they
// are indexed and queries when they are answered, so the two always agree.
import type { AgentRecord } from '../records/types.js';

// Words too common to narrow anything; indexing them would cost a posting per agent.
const STOP = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'into', 'is', 'it',
  'its', 'of', 'on', 'or', 'that', 'the', 'this', 'to', 'with',
]);
const SPLIT = /[^\p{L}\p{N}]+/u;
const MAX_WORDS = 64;

/** Lowercase words of free text, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const w of text.toLowerCase().split(SPLIT)) {
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

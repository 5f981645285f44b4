// The bytes of a resolve answer. A popular name is answered from the resolver cache
// thousands of times a second with the same record, path and zone, and a TTL that only
// changes once a second; serialising ~1.7 KB of JSON (the JWS is most of it) and encoding
// it for every one of those answers was the largest cost of a warm hit after the framework.
// So the last bytes sent for each name are kept (bounded) together with the answer
// they were made from, and reused only when the new answer is field-for-field the same:
// primitives equal, `path` equal element by element, the record the very same object (a
// cached entry's record is shared by all its hits and never mutated; a record read afresh,
// e.g. from the zone store, is a new object and simply misses).
import type { LocalAnswer, ResolveResult } from '../resolver/types.js';

type Answer = ResolveResult | LocalAnswer;

function sameField(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same keys, and every value the same primitive, the same object, or an array of the same primitives. */
function sameAnswer(x: Answer, y: Answer): boolean {
  const a = x as unknown as Record<string, unknown>;
  const b = y as unknown as Record<string, unknown>;
  let n = 0;
  for (const k in a) {
    if (!sameField(a[k], b[k])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** The UTF-8 bytes in a buffer of their own (not a slice of Node's shared pool, which a kept body would pin). */
export function utf8(text: string): Buffer<ArrayBuffer> {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/**
 * One per node (a process may run several, answering the same names differently). The
 * keeper is a Map in insertion order, oldest dropped first once `max` names are kept: a
 * hot name that is dropped costs one rendering, and a Map read is a third of an LRU's.
 */
export function answerRenderer(max = 1024): (answer: Answer) => Buffer<ArrayBuffer> {
  const rendered = new Map<string, { answer: Answer; body: Buffer<ArrayBuffer> }>();
  return (answer) => {
    // Traces differ on every query; they are never worth keeping.
    if ('trace' in answer && answer.trace) return utf8(JSON.stringify(answer));
    const last = rendered.get(answer.name);
    if (last && sameAnswer(last.answer, answer)) return last.body;
    const body = utf8(JSON.stringify(answer));
    if (!last && rendered.size >= max) rendered.delete(rendered.keys().next().value!);
    rendered.set(answer.name, { answer, body });
    return body;
  };
}

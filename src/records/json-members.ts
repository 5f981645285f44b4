// Duplicate member names in signed JSON. JSON.parse keeps the last of two equal names
// silently, so a payload `{"version":"1.0.0",…,"version":"9.0.0"}` means one thing to us
// and possibly another to a verifier that keeps the first: what was signed must read one
// way only. One pass over text JSON.parse has already accepted (so it is well formed):
// strings are skipped with indexOf, object member names are collected per object.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index of the quote that closes the string opened just before `from`. */
function stringEnd(text: string, from: number): number {
  let q = text.indexOf('"', from);
  for (;;) {
    let slashes = 0;
    while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
}

/**
 * The first member name that appears twice in one object of `text` (compared after
 * unescaping, so "a" and "\u0061" are the same name), or undefined. `text` must be
 * JSON that JSON.parse accepted.
 */
export function duplicateMember(text: string): string | undefined {
  const outer: (Set<string> | null)[] = [];
  let names: Set<string> | null = null; // member names of the innermost object; null in an array
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      i = stringEnd(text, start);
      if (names === null) continue;
      let j = i + 1;
      while (isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== COLON) continue; // a value, not a member name
      const raw = text.slice(start, i);
      const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      if (names.has(name)) return name;
      names.add(name);
      i = j;
    } else if (c === OPEN_OBJECT) {
      outer.push(names);
      names = new Set();
    } else if (c === OPEN_ARRAY) {
      outer.push(names);
      names = null;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      names = outer.pop() ?? null;
    }
  }
  return undefined;
}

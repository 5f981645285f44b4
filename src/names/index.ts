// Names (SPEC §1): labels, fully qualified agent IDs, short forms, zone arithmetic.
// Everything that leaves this module is lowercase ASCII with no trailing dot.
import { domainToASCII, domainToUnicode } from 'node:url';
import { StewardError } from '../errors/index.js';

export const MAX_LABEL = 63;
export const MAX_NAME = 253;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ASCII_RE = /^[\x00-\x7f]*$/;
// A name that is already normal: lowercase ASCII labels that pass LABEL_RE, no trailing
// dot. Names on the wire (FQIDs from clients and resolvers) nearly always are, and one
// pass of this regex costs a fraction of split + per-label checks; anything else (and
// any xn-- label, whose punycode must be checked) takes the full path below.
const NORMAL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

let lastNormal = '';

const bad = (input: string, why: string): never => {
  const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input;
  throw new StewardError('BAD_NAME', `invalid name ${JSON.stringify(shown)}: ${why}`);
};

/** Checks one already-lowercased ASCII label; returns the reason it is bad, or undefined. */
export function labelProblem(label: string): string | undefined {
  if (label.length === 0) return 'empty label (two dots in a row, or a leading dot)';
  if (label.length > MAX_LABEL) return `label "${label.slice(0, 20)}..." is ${label.length} octets; at most ${MAX_LABEL}`;
  if (label.startsWith('-') || label.endsWith('-')) return `label "${label}" starts or ends with a hyphen`;
  if (!LABEL_RE.test(label)) {
    const ch = [...label].find((c) => !/[a-z0-9-]/.test(c));
    return `label "${label}" has character ${JSON.stringify(ch)}; only a-z, 0-9 and - are allowed`;
  }
  if (label.startsWith('xn--') && domainToUnicode(label) === '') return `label "${label}" is not a valid A-label`;
  return undefined;
}

/**
 * Normalises a dotted name: case-folds, drops one trailing dot, maps non-ASCII input
 * to A-labels (UTS #46 via WHATWG URL's domainToASCII) and checks every label.
 */
export function normalizeName(input: unknown): string {
  if (typeof input !== 'string') return bad(String(input), 'a name must be a string');
  if (input.length === 0) return bad(input, 'the name is empty');
  if (input.length > 4 * MAX_NAME) return bad(input, `the name is longer than ${MAX_NAME} octets`);
  // A normal name is its own normal form; the hot path normalises the same name twice
  // in a row (qualify, then the resolver), so the last one passed is remembered.
  if (input === lastNormal) return input;
  if (input.length <= MAX_NAME && NORMAL_RE.test(input) && !input.includes('xn--')) return (lastNormal = input);
  let name = input.endsWith('.') ? input.slice(0, -1) : input;
  if (name.length === 0) return bad(input, 'the name is only a dot');
  if (!ASCII_RE.test(name)) {
    const ascii = domainToASCII(name);
    if (!ascii) return bad(input, 'non-ASCII characters that do not map to a valid IDNA A-label (UTS #46)');
    name = ascii;
  }
  name = name.toLowerCase();
  if (name.length > MAX_NAME) return bad(input, `the name is ${name.length} octets; at most ${MAX_NAME}`);
  for (const label of name.split('.')) {
    const problem = labelProblem(label);
    if (problem) return bad(input, problem);
  }
  return name;
}

/** A single agent-name label, normalised. */
export function normalizeLabel(input: unknown): string {
  const name = normalizeName(input);
  if (name.includes('.')) return bad(String(input), 'an agent name is a single label (no dots)');
  return name;
}

export function zoneOf(namespace: string, rootDomain: string): string {
  return namespace ? `${namespace}.${rootDomain}` : rootDomain;
}

export function namespaceOf(zone: string, rootDomain: string): string {
  if (zone === rootDomain) return '';
  if (!zone.endsWith(`.${rootDomain}`)) throw new StewardError('BAD_NAME', `zone ${zone} is not under ${rootDomain}`);
  return zone.slice(0, -(rootDomain.length + 1));
}

/** True when `name` is `zone` itself or below it. */
export function isWithin(name: string, zone: string): boolean {
  // (no `.${zone}` string built: this runs several times per query on the hot path)
  const dot = name.length - zone.length - 1;
  return name === zone || (dot >= 0 && name.charCodeAt(dot) === 46 /* . */ && name.endsWith(zone));
}

/** Splits `a.b.c` into `a` and `b.c`. */
export function splitFirst(name: string): { label: string; rest: string } {
  const i = name.indexOf('.');
  return i < 0 ? { label: name, rest: '' } : { label: name.slice(0, i), rest: name.slice(i + 1) };
}

/**
 * Turns user input into an FQID (SPEC §1 short form): one label is an agent of
 * `localZone`; a dotted name not ending in the root domain gets it appended.
 */
export function qualify(input: unknown, opts: { rootDomain: string; localZone: string }): string {
  const name = normalizeName(input);
  let fq: string;
  if (!name.includes('.')) fq = `${name}.${opts.localZone}`;
  else if (isWithin(name, opts.rootDomain)) fq = name;
  else fq = `${name}.${opts.rootDomain}`;
  if (fq.length > MAX_NAME) return bad(String(input), `the qualified name is ${fq.length} octets; at most ${MAX_NAME}`);
  return fq;
}

/** The label of `name` directly below `zone` (e.g. child label of a delegation), or undefined. */
export function childLabel(name: string, zone: string): string | undefined {
  if (!name.endsWith(`.${zone}`)) return undefined;
  const head = name.slice(0, -(zone.length + 1));
  const i = head.lastIndexOf('.');
  return i < 0 ? head : head.slice(i + 1);
}

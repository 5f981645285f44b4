// The RFC 9421 signature base (§2.5): one line per covered component,
// `<component identifier>: <component value>`, then the `"@signature-params"` line,
// joined by LF with no trailing LF. Derived components are the ones of §2.2 that a
// request or response carries without extra parameters; HTTP fields are their values
// as the message holds them, trimmed, several field lines combined with ", " (§2.1).
// Component parameters (sf, key, bs, req, tr) and @query-param are not needed by the
// SPEC §5 profile and are refused rather than half-implemented.
import { StewardError } from '../../errors/index.js';
import { serializeInnerList, serializeItem, type InnerList } from './sfv.js';

export interface MessageView {
  /** Request method, as sent (RFC 9421 §2.2.1: case-sensitive, normally upper case). */
  method?: string;
  /** The full target URI (§2.2.2), e.g. https://example.com/path?q=1 */
  targetUri?: string;
  /** Response status, for signed responses (§2.2.9). */
  status?: number;
  /** The combined value of a header field, or undefined when absent. Lower-case names. */
  field(name: string): string | null | undefined;
}

const bad = (detail: string): never => {
  throw new StewardError('BAD_REQUEST', `signature base: ${detail}`);
};

function targetUrl(msg: MessageView): URL {
  if (msg.targetUri === undefined) return bad('the message has no target URI');
  try {
    return new URL(msg.targetUri);
  } catch {
    return bad('the target URI does not parse');
  }
}

/** The value of one component of `msg` (§2.1, §2.2). */
export function componentValue(name: string, msg: MessageView): string {
  switch (name) {
    case '@method':
      return msg.method ?? bad('the message has no method');
    case '@target-uri':
      return msg.targetUri ?? bad('the message has no target URI');
    case '@authority':
      return targetUrl(msg).host; // lower case, default port omitted (§2.2.3)
    case '@scheme':
      return targetUrl(msg).protocol.slice(0, -1);
    case '@request-target': {
      const u = targetUrl(msg);
      return u.pathname + u.search;
    }
    case '@path':
      return targetUrl(msg).pathname || '/';
    case '@query':
      return targetUrl(msg).search || '?';
    case '@status':
      return msg.status !== undefined ? String(msg.status) : bad('@status applies to responses only');
  }
  if (name.startsWith('@')) return bad(`derived component ${name} is not supported`);
  if (name !== name.toLowerCase()) return bad(`field name ${name} must be lower case`);
  const v = msg.field(name);
  if (v === undefined || v === null) return bad(`covered field ${name} is not in the message`);
  return v.trim();
}

/** The signature base for `covered` (a parsed Signature-Input member) over `msg`. */
export function signatureBase(covered: InnerList, msg: MessageView): string {
  const seen = new Set<string>();
  let out = '';
  for (const item of covered.items) {
    if (item.bare.t !== 'str') bad('component identifiers must be strings');
    if (item.params.size > 0) bad('component parameters are not supported');
    const name = item.bare.v as string;
    if (seen.has(name)) bad(`component ${name} is listed twice`);
    seen.add(name);
    out += `${serializeItem(item)}: ${componentValue(name, msg)}\n`;
  }
  return `${out}"@signature-params": ${serializeInnerList(covered)}`;
}

// SPEC §5's profile of RFC 9421: the one shape of signature registries send each other,
// its bounds, and the syntax check (the verifier's first stage). Anything outside the
// profile is refused here, before any cryptography: label `sig1`; covered components
// exactly ("@method" "@target-uri") plus "content-digest" when there is a body; the
// parameters created, expires, nonce, keyid and alg, all required, nothing else.
import { createHash } from 'node:crypto';
import { StewardError } from '../../errors/index.js';
import { isAlg, type SigAlg } from './algs.js';
import { parseDictionary, parseList, str, type InnerList } from './sfv.js';

export const LABEL = 'sig1';
export const HEADERS = {
  input: 'signature-input',
  signature: 'signature',
  digest: 'content-digest',
  chain: 'steward-certificate-chain',
} as const;

export const LIMITS = {
  /** ±seconds between `created` and our clock; also the longest `expires - created`. */
  skewSeconds: 300,
  maxLifetimeSeconds: 300,
  chainCerts: 5,
  certBytes: 8 * 1024,
  /** Signature labels in Signature-Input / Signature (only sig1 is verified). */
  labels: 4,
  inputHeaderChars: 2 * 1024,
  signatureHeaderChars: 4 * 1024, // four RSA-4096 signatures in base64 fit
  digestHeaderChars: 512,
  // Five 8 KiB certificates in base64. Node's default --max-http-header-size (16 KiB for
  // all headers) is the tighter bound in practice; a registry chain is ~2 KiB a cert.
  chainHeaderChars: 5 * (Math.ceil((8 * 1024) / 3) * 4 + 4),
} as const;

const NONCE = /^[A-Za-z0-9_-]{22,128}$/; // ≥ 128 bits base64url (22 chars = 132 bits)
const KEYID = /^sha256:[0-9a-f]{64}$/;
const PARAMS = new Set(['created', 'expires', 'nonce', 'keyid', 'alg']);

/** keyid = "sha256:" + lowercase hex SHA-256 of the leaf certificate's DER. */
export const keyIdOf = (leafDer: Uint8Array) => `sha256:${createHash('sha256').update(leafDer).digest('hex')}`;

/** The covered components of the profile, in order. */
export const coveredNames = (withDigest: boolean) =>
  withDigest ? ['@method', '@target-uri', 'content-digest'] : ['@method', '@target-uri'];

export interface SignatureParams { created: number; expires: number; nonce: string; keyid: string; alg: SigAlg }

/** A Signature-Input member in the profile's parameter order (the signer's, and the base's). */
export function signatureInputMember(withDigest: boolean, p: SignatureParams): InnerList {
  return {
    kind: 'inner',
    items: coveredNames(withDigest).map(str),
    params: new Map([
      ['created', { t: 'int', v: p.created }],
      ['expires', { t: 'int', v: p.expires }],
      ['nonce', { t: 'str', v: p.nonce }],
      ['keyid', { t: 'str', v: p.keyid }],
      ['alg', { t: 'str', v: p.alg }],
    ]),
  };
}

export interface ParsedSignature {
  /** The sig1 member as received (its parameter order is what was signed). */
  covered: InnerList;
  params: SignatureParams;
  /** The Content-Digest value when covered. */
  digest?: string;
  signature: Buffer;
  chain: Buffer[];
  /** keyIdOf(chain[0]). */
  leafKeyId: string;
}

type Header = (name: string) => string | null | undefined;

const bad = (detail: string): never => {
  throw new StewardError('BAD_REQUEST', detail);
};

function bounded(header: Header, name: string, display: string, max: number): string | undefined {
  const v = header(name);
  if (v === undefined || v === null) return undefined;
  if (v.length > max) bad(`${display} is longer than ${max} characters`);
  return v;
}

/** Stage 1: the header syntax. SIGNATURE_MISSING when unsigned, BAD_REQUEST when malformed. */
export function parseSignedHeaders(header: Header, bodyLength: number): ParsedSignature {
  const input = bounded(header, HEADERS.input, 'Signature-Input', LIMITS.inputHeaderChars);
  const sigText = bounded(header, HEADERS.signature, 'Signature', LIMITS.signatureHeaderChars);
  if (input === undefined && sigText === undefined) {
    throw new StewardError('SIGNATURE_MISSING', 'this endpoint takes signed requests only (RFC 9421 Signature-Input and Signature, SPEC §5)');
  }
  if (input === undefined || sigText === undefined) bad(`${input === undefined ? 'Signature-Input' : 'Signature'} is missing`);

  const member = parseDictionary(input!, 'Signature-Input', LIMITS.labels).get(LABEL);
  if (!member) return bad(`Signature-Input has no ${LABEL} signature`);
  if (member.kind !== 'inner') return bad(`Signature-Input ${LABEL} must be an inner list`);
  const names = member.items.map((i) => (i.bare.t === 'str' && i.params.size === 0 ? i.bare.v : '?'));
  const coversDigest = names.length === 3;
  const expected = coveredNames(coversDigest);
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
    bad(`Signature-Input ${LABEL} must cover ("@method" "@target-uri"${bodyLength > 0 ? ' "content-digest"' : ''}), got (${names.join(' ')})`);
  }
  if (bodyLength > 0 && !coversDigest) bad('a request with a body must cover "content-digest"');

  for (const k of member.params.keys()) if (!PARAMS.has(k)) bad(`Signature-Input parameter ${k} is not part of the profile`);
  const p = member.params;
  const int = (k: string) => {
    const v = p.get(k);
    return v?.t === 'int' && v.v >= 0 ? v.v : bad(`Signature-Input ${k} must be a non-negative integer`);
  };
  const string = (k: string, re: RegExp | ((s: string) => boolean), what: string) => {
    const v = p.get(k);
    const ok = v?.t === 'str' && (typeof re === 'function' ? re(v.v) : re.test(v.v));
    return ok ? (v.v as string) : bad(`Signature-Input ${k} must be ${what}`);
  };
  const created = int('created');
  const expires = int('expires');
  if (expires <= created || expires - created > LIMITS.maxLifetimeSeconds) {
    bad(`Signature-Input expires must be after created and at most ${LIMITS.maxLifetimeSeconds} s later`);
  }
  const params: SignatureParams = {
    created,
    expires,
    nonce: string('nonce', NONCE, 'at least 128 random bits in base64url'),
    keyid: string('keyid', KEYID, '"sha256:" and the lowercase hex SHA-256 of the leaf certificate'),
    alg: string('alg', isAlg, 'rsa-pss-sha512, rsa-v1_5-sha256 or ecdsa-p256-sha256') as SigAlg,
  };

  const sig = parseDictionary(sigText!, 'Signature', LIMITS.labels).get(LABEL);
  if (!sig) return bad(`Signature has no ${LABEL} signature`);
  if (sig.kind !== 'item' || sig.bare.t !== 'bin' || sig.bare.v.length === 0) return bad(`Signature ${LABEL} must be a byte sequence`);

  const digest = bounded(header, HEADERS.digest, 'Content-Digest', LIMITS.digestHeaderChars);
  if (coversDigest && !digest) bad('Content-Digest is covered but missing');

  const { ders, leafKeyId } = parseChain(header);
  return { covered: member, params, digest: coversDigest ? digest : undefined, signature: sig.bare.v, chain: ders, leafKeyId };
}

// A sender sends the same chain header on every request: its decoded form is kept, in a
// small map bounded by entries and characters, cleared when full (cheap to rebuild).
const chainMemo = new Map<string, { ders: Buffer[]; leafKeyId: string }>();
let chainMemoChars = 0;
const CHAIN_MEMO = { entries: 64, chars: 1024 * 1024 };

function parseChain(header: Header): { ders: Buffer[]; leafKeyId: string } {
  const text = bounded(header, HEADERS.chain, 'Steward-Certificate-Chain', LIMITS.chainHeaderChars);
  if (text === undefined) return bad('Steward-Certificate-Chain is missing');
  const known = chainMemo.get(text);
  if (known) return { ders: known.ders.slice(), leafKeyId: known.leafKeyId };
  const ders = decodeChain(text);
  const entry = { ders, leafKeyId: keyIdOf(ders[0]!) };
  if (chainMemo.size >= CHAIN_MEMO.entries || chainMemoChars + text.length > CHAIN_MEMO.chars) {
    chainMemo.clear();
    chainMemoChars = 0;
  }
  chainMemo.set(text, entry);
  chainMemoChars += text.length;
  return { ders: ders.slice(), leafKeyId: entry.leafKeyId };
}

function decodeChain(text: string): Buffer[] {
  const list = parseList(text, 'Steward-Certificate-Chain', LIMITS.chainCerts);
  if (list.length === 0) bad('Steward-Certificate-Chain is empty');
  return list.map((m, i) => {
    if (m.kind !== 'item' || m.bare.t !== 'bin') return bad(`Steward-Certificate-Chain member ${i} must be a byte sequence`);
    const der = m.bare.v;
    if (der.length === 0 || der.length > LIMITS.certBytes) bad(`Steward-Certificate-Chain member ${i} must be 1 to ${LIMITS.certBytes} bytes of DER`);
    return der;
  });
}

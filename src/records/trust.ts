// Trust (SPEC §2): a 0..1 score the authoritative zone computes from facts it can check
// itself at publish time. No self-declared claims count. docs/trust.md explains it.

export interface TrustSignals {
  /** The JWS verified against the key in its header. Without it the score is 0. */
  signatureVerified: boolean;
  /** Days this key has held this name: since it first published it (key continuity). */
  nameHeldDays: number;
  /** Every endpoint URL is https. */
  allEndpointsHttps: boolean;
  /** The manifest has a non-empty description. */
  hasDescription: boolean;
  /** The publisher key is on the zone's allow list (a verified publisher). */
  verifiedPublisher: boolean;
  /** Days since this key first published in the zone (0 for a new key). */
  keyAgeDays: number;
}

export const TRUST_WEIGHTS = {
  signature: 0.3,
  continuity: 0.15, // full after CONTINUITY_FULL_DAYS holding the name
  https: 0.15,
  description: 0.05,
  verifiedPublisher: 0.25,
  keyAge: 0.1, // full at KEY_AGE_FULL_DAYS
} as const;
export const CONTINUITY_FULL_DAYS = 30;
export const KEY_AGE_FULL_DAYS = 90;

const ratio = (x: number, full: number): number => (Number.isFinite(x) && x > 0 ? Math.min(x, full) / full : 0);

export function computeTrust(s: TrustSignals): number {
  if (!s.signatureVerified) return 0;
  const w = TRUST_WEIGHTS;
  const score =
    w.signature +
    w.continuity * ratio(s.nameHeldDays, CONTINUITY_FULL_DAYS) +
    (s.allEndpointsHttps ? w.https : 0) +
    (s.hasDescription ? w.description : 0) +
    (s.verifiedPublisher ? w.verifiedPublisher : 0) +
    w.keyAge * ratio(s.keyAgeDays, KEY_AGE_FULL_DAYS);
  return Math.round(Math.min(1, Math.max(0, score)) * 100) / 100;
}

// dNSName name constraints, matched the way OpenSSL 3 matches them (v3_ncons.c), so our
// verdict and `openssl verify`'s agree on every name:
// - ASCII case-insensitive; no normalisation otherwise: a trailing dot is a different
//   name ("a.zone." is not within "a.zone" — OpenSSL refuses it, so do we);
// - a name is within a subtree if equal to it, or if it ends with it and the character
//   before is a dot ("evilacme-labs.com" is not within "acme-labs.com");
// - an empty subtree matches everything; a subtree starting with "." matches strictly
//   below it;
// - the leaf's subject CN is checked as a DNS name only when the leaf has no SAN dNSName,
//   and only when it looks like a host name of at least two labels (cn2dnsid).
import type { NameSubtrees, ParsedCert } from './parse.js';

const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()); // ASCII only, like ia5ncasecmp

export function dnsWithin(name: string, base: string): boolean {
  if (base.length === 0) return true;
  if (name.length < base.length) return false;
  const tail = name.slice(name.length - base.length);
  if (name.length > base.length && base[0] !== '.' && name[name.length - base.length - 1] !== '.') return false;
  return lower(tail) === lower(base);
}

/** OpenSSL's cn2dnsid: does this CN look like a DNS name (LDH + '_', ≥ 2 labels)? */
export function cnLooksLikeDns(cn: string): boolean {
  let isDns = false;
  for (let i = 0; i < cn.length; i++) {
    const c = cn[i]!;
    if (/[A-Za-z0-9_]/.test(c)) continue;
    if (i > 0 && i < cn.length - 1) {
      if (c === '-') continue;
      if (c === '.' && cn[i + 1] !== '.' && cn[i - 1] !== '-' && cn[i + 1] !== '-') {
        isDns = true;
        continue;
      }
    }
    return false;
  }
  return isDns;
}

function nameAllowed(name: string, nc: NameSubtrees): boolean {
  if (nc.permittedDns.length && !nc.permittedDns.some((b) => dnsWithin(name, b))) return false;
  return !nc.excludedDns.some((b) => dnsWithin(name, b));
}

/**
 * The first of `cert`'s names the constraints `nc` refuse, or undefined. `isLeaf` adds
 * the CN check OpenSSL applies to the end-entity (depth 0) certificate.
 */
export function violatingName(cert: ParsedCert, nc: NameSubtrees, isLeaf: boolean): string | undefined {
  for (const d of cert.dnsNames) if (!nameAllowed(d, nc)) return d;
  if (isLeaf && cert.dnsNames.length === 0) {
    for (const cn of cert.commonNames) if (cnLooksLikeDns(cn) && !nameAllowed(cn, nc)) return cn;
  }
  return undefined;
}

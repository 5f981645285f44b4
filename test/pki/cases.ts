// The chains the differential test shows both verifiers: good ones, and every way a
// child (acme-labs.com, holding its registry key) might try to vouch for a name that is
// not its own, plus time, CA-flag, revocation and wrong-root failures.
import { x509 } from '../../src/pki/x509-lib.js';
import { issueCrl } from '../../src/pki/crl.js';
import { buildCertificate, createRootCa, issueRegistryCertificate } from '../../src/pki/issue.js';
import type { ChainFailure } from '../../src/pki/verify.js';
import { ACME, COM, ROOT, key, type Pki } from './fixtures.js';

export interface Case {
  name: string;
  cert: Uint8Array;
  chain: Uint8Array[];
  anchor?: Uint8Array; // default the federation root
  crls?: string[];
  at?: number;
  /** Our X.509 verdict (checkIdentity off) — must equal OpenSSL's, and this. */
  expect: 'ok' | ChainFailure;
  /** Our registry-profile verdict (checkIdentity on), when it differs from `expect`. */
  identity?: 'IDENTITY';
}

const DAY = 24 * 3600_000;

export async function buildCases(p: Pki): Promise<Case[]> {
  const chain = [p.acme.der, p.com.der];
  const cases: Case[] = [];
  const leaf = async (name: string, names: { cn: string; san: string[] }, expect: Case['expect'], identity?: 'IDENTITY') => {
    const c = await p.byAcme({ subjectCn: names.cn, dnsNames: names.san, permitted: names.san.length ? names.san : undefined });
    cases.push({ name, cert: c.der, chain, expect, identity });
  };
  const same = (n: string) => ({ cn: n, san: [n] });

  cases.push({ name: 'good: acme-labs.com registry cert', cert: p.acme.der, chain: [p.com.der], expect: 'ok' });
  cases.push({ name: 'good: com registry cert (no intermediates)', cert: p.com.der, chain: [], expect: 'ok' });
  cases.push({ name: 'good: root chain given in full (root in -untrusted too)', cert: p.acme.der, chain: [p.com.der, p.root.der], expect: 'ok' });
  await leaf('good: child zone under acme-labs.com', same(`team.${ACME}`), 'ok');
  await leaf('good: the child zone itself', same(ACME), 'ok');
  await leaf('case change inside the zone (OpenSSL compares ASCII case-insensitively)', same(`TEAM.Acme-Labs.COM.steward-registry.ORG`), 'ok');
  await leaf('sibling zone', same(`other-corp.com.steward-registry.org`), 'NAME_CONSTRAINT');
  await leaf('suffix trick: evilacme-labs.com', same(`evilacme-labs.com.steward-registry.org`), 'NAME_CONSTRAINT');
  await leaf('suffix trick: x-acme-labs.com', same(`x-acme-labs.com.steward-registry.org`), 'NAME_CONSTRAINT');
  await leaf('suffix trick: zone as a prefix of another domain', same(`${ACME}.evil.net`), 'NAME_CONSTRAINT');
  await leaf("the parent's own zone", same(COM), 'NAME_CONSTRAINT');
  await leaf('the root zone', same(ROOT), 'NAME_CONSTRAINT');
  await leaf('case change outside the zone', same(`EVILACME-LABS.com.steward-registry.org`), 'NAME_CONSTRAINT');
  await leaf('trailing dot on a name inside the zone', same(`team.${ACME}.`), 'NAME_CONSTRAINT');
  await leaf('trailing dot on the zone itself', same(`${ACME}.`), 'NAME_CONSTRAINT');
  await leaf('two SAN names, one outside', { cn: `team.${ACME}`, san: [`team.${ACME}`, `vibe-agency.com.steward-registry.org`] }, 'NAME_CONSTRAINT');
  await leaf('CN outside, SAN inside (OpenSSL ignores CN when a SAN dNSName exists)', { cn: `vibe-agency.com.steward-registry.org`, san: [`team.${ACME}`] }, 'ok', 'IDENTITY');
  await leaf('CN outside, no SAN (OpenSSL checks the CN)', { cn: `vibe-agency.com.steward-registry.org`, san: [] }, 'NAME_CONSTRAINT');
  await leaf('CN inside, no SAN', { cn: `team.${ACME}`, san: [] }, 'ok', 'IDENTITY');
  await leaf('CN outside with a trailing dot, no SAN (not host-like: OpenSSL skips it)', { cn: `vibe-agency.com.steward-registry.org.`, san: [] }, 'ok', 'IDENTITY');
  await leaf('CN outside, one label, no SAN (not host-like)', { cn: `localhost`, san: [] }, 'ok', 'IDENTITY');

  // A sub-CA of the child claims a wider constraint; the child's own still binds below it.
  const wide = await p.byAcme({ subjectCn: `team.${ACME}`, dnsNames: [`team.${ACME}`], permitted: [ROOT] });
  const subKeys = await key(p.algs[3]!, 'sub');
  const underWide = await buildCertificate({ subjectCn: `vibe-agency.com.steward-registry.org`, dnsNames: [`vibe-agency.com.steward-registry.org`], permitted: [`vibe-agency.com.steward-registry.org`], ca: true, subjectPublicKey: subKeys.publicKey }, { certificate: wide.pem, keys: p.leafKeys });
  cases.push({ name: 'grandchild CA widens its constraint and issues a sibling zone', cert: underWide.der, chain: [wide.der, ...chain], expect: 'NAME_CONSTRAINT' });
  const okUnderWide = await buildCertificate({ subjectCn: `a.team.${ACME}`, dnsNames: [`a.team.${ACME}`], ca: false, subjectPublicKey: subKeys.publicKey }, { certificate: wide.pem, keys: p.leafKeys });
  cases.push({ name: 'good: three intermediates, end-entity leaf inside every constraint', cert: okUnderWide.der, chain: [wide.der, ...chain], expect: 'ok' });

  // Times
  const now = Date.now();
  const expired = await p.byAcme({ notBefore: new Date(now - 10 * DAY), notAfter: new Date(now - DAY) });
  cases.push({ name: 'expired leaf', cert: expired.der, chain, expect: 'EXPIRED' });
  const future = await p.byAcme({ notBefore: new Date(now + DAY), notAfter: new Date(now + 10 * DAY) });
  cases.push({ name: 'not yet valid leaf', cert: future.der, chain, expect: 'NOT_YET_VALID' });
  cases.push({ name: 'good chain checked two years from now (all expired)', cert: p.acme.der, chain: [p.com.der], at: now + 2 * 365 * DAY, expect: 'EXPIRED' });
  cases.push({ name: 'good chain checked before it was issued', cert: p.acme.der, chain: [p.com.der], at: now - DAY, expect: 'NOT_YET_VALID' });

  // CA flags and path length
  const notCa = await p.byAcme({ ca: false, permitted: undefined });
  const underNotCa = await buildCertificate({ subjectCn: `x.sub.${ACME}`, dnsNames: [`x.sub.${ACME}`], ca: false, subjectPublicKey: subKeys.publicKey }, { certificate: notCa.pem, keys: p.leafKeys });
  cases.push({ name: 'issuer is not a CA (CA:false)', cert: underNotCa.der, chain: [notCa.der, ...chain], expect: 'NOT_CA' });
  const noCertSign = await p.byAcme({ keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.cRLSign });
  const underNoCertSign = await buildCertificate({ subjectCn: `x.sub.${ACME}`, dnsNames: [`x.sub.${ACME}`], ca: false, subjectPublicKey: subKeys.publicKey }, { certificate: noCertSign.pem, keys: p.leafKeys });
  cases.push({ name: 'issuer is CA:true without keyCertSign', cert: underNoCertSign.der, chain: [noCertSign.der, ...chain], expect: 'NOT_CA' });
  const comLen0 = await buildCertificate({ subjectCn: COM, dnsNames: [COM], permitted: [COM], ca: true, pathLength: 0, subjectPublicKey: p.comKeys.publicKey }, { certificate: p.root.pem, keys: p.rootKeys });
  const acmeUnderLen0 = await issueRegistryCertificate(ACME, p.acmeKeys.publicKey, { certificate: comLen0.pem, keys: p.comKeys });
  const teamUnder = await buildCertificate({ subjectCn: `team.${ACME}`, dnsNames: [`team.${ACME}`], ca: false, subjectPublicKey: subKeys.publicKey }, { certificate: acmeUnderLen0.pem, keys: p.acmeKeys });
  cases.push({ name: 'pathLenConstraint 0 on com, two CAs below it', cert: teamUnder.der, chain: [acmeUnderLen0.der, comLen0.der], expect: 'PATH_LENGTH' });
  cases.push({ name: 'good: pathLenConstraint 0 on com, one CA below it', cert: acmeUnderLen0.der, chain: [comLen0.der], expect: 'ok' });

  // Wrong roots and broken chains
  const fakeRootKeys = await key(p.algs[0]!, 'fake-root');
  const fakeRoot = await createRootCa(ROOT, fakeRootKeys);
  const fakeCom = await issueRegistryCertificate(COM, p.comKeys.publicKey, { certificate: fakeRoot.pem, keys: fakeRootKeys });
  const acmeUnderFake = await issueRegistryCertificate(ACME, p.acmeKeys.publicKey, { certificate: fakeCom.pem, keys: p.comKeys });
  cases.push({ name: 'chain to another root with the same name', cert: acmeUnderFake.der, chain: [fakeCom.der], expect: 'NO_PATH' });
  cases.push({ name: 'chain to another root with the same name, that root sent along', cert: acmeUnderFake.der, chain: [fakeCom.der, fakeRoot.der], expect: 'NO_PATH' });
  cases.push({ name: 'missing intermediate', cert: p.acme.der, chain: [], expect: 'NO_PATH' });
  cases.push({ name: 'self-signed leaf', cert: fakeRoot.der, chain: [], expect: 'NO_PATH' });
  const tampered = new Uint8Array(p.acme.der);
  tampered[tampered.length - 5]! ^= 0x01;
  cases.push({ name: 'leaf signature tampered', cert: tampered, chain: [p.com.der], expect: 'BAD_SIGNATURE' });

  // Revocation (every issuer publishes a CRL; -crl_check_all)
  const crl = async (issuer: { pem: string }, keys: Pki['rootKeys'], revoked: string[] = [], over: { thisUpdate?: Date; nextUpdate?: Date } = {}) =>
    (await issueCrl({ issuer: { certificate: issuer.pem, keys }, revoked: revoked.map((s) => ({ serialHex: s, revokedAt: new Date(now - 60_000), reason: 'keyCompromise' as const })), ...over })).pem;
  const team = await p.byAcme({});
  const rootCrl = await crl(p.root, p.rootKeys);
  const comCrl = await crl(p.com, p.comKeys);
  const acmeCrl = await crl(p.acme, p.acmeKeys);
  cases.push({ name: 'good with CRLs, nothing revoked', cert: team.der, chain, crls: [rootCrl, comCrl, acmeCrl], expect: 'ok' });
  cases.push({ name: 'leaf revoked by its issuer', cert: team.der, chain, crls: [rootCrl, comCrl, await crl(p.acme, p.acmeKeys, [team.serial])], expect: 'REVOKED' });
  cases.push({ name: 'intermediate (the child) revoked by its parent', cert: team.der, chain, crls: [rootCrl, await crl(p.com, p.comKeys, ['01', p.acme.serial]), acmeCrl], expect: 'REVOKED' });
  cases.push({ name: 'issuer CRL missing (required)', cert: team.der, chain, crls: [rootCrl, comCrl], expect: 'CRL_UNAVAILABLE' });
  cases.push({ name: 'issuer CRL expired', cert: team.der, chain, crls: [rootCrl, comCrl, await crl(p.acme, p.acmeKeys, [], { thisUpdate: new Date(now - 3 * DAY), nextUpdate: new Date(now - DAY) })], expect: 'CRL_EXPIRED' });
  const forged = (await issueCrl({ issuer: { certificate: p.com.pem, keys: p.acmeKeys }, revoked: [] })).pem;
  cases.push({ name: "parent's CRL forged by the child (wrong key)", cert: team.der, chain, crls: [rootCrl, forged, acmeCrl], expect: 'CRL_INVALID' });
  return cases;
}

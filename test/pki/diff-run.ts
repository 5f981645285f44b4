// Runs every case through `openssl verify` and through verifyChain and asserts the same
// verdict; for refusals, that OpenSSL printed the error our reason stands for, at the
// same depth. Shared by the RSA, P-256 and mixed differential test files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCrl, type ParsedCrl } from '../../src/pki/crl.js';
import type { KeyAlg } from '../../src/pki/keys.js';
import { verifyChain, type ChainFailure } from '../../src/pki/verify.js';
import { buildCases, type Case } from './cases.js';
import { makePki, opensslVerify } from './fixtures.js';

/** X509_V_ERR_* codes each of our reasons corresponds to. */
const OPENSSL: Record<ChainFailure, number[]> = {
  MALFORMED: [], NO_PATH: [2, 18, 19, 20], NOT_CA: [24, 32, 79], PATH_LENGTH: [25], UNHANDLED_CRITICAL: [34],
  CRL_UNAVAILABLE: [3], CRL_INVALID: [3, 8, 35, 36, 44], CRL_NOT_YET_VALID: [11], CRL_EXPIRED: [12], REVOKED: [23],
  BAD_SIGNATURE: [7], NOT_YET_VALID: [9], EXPIRED: [10], NAME_CONSTRAINT: [47, 48], NAME_CONSTRAINT_UNSUPPORTED: [49, 51, 53], IDENTITY: [],
};

function ours(c: Case, anchor: Uint8Array, checkIdentity: boolean) {
  const crls: ParsedCrl[] | undefined = c.crls?.map((x) => parseCrl(x));
  return verifyChain(c.cert, c.chain, [anchor], {
    at: c.at,
    checkIdentity,
    requireCrl: !!crls,
    crlFor: crls && ((issuer) => crls.find((l) => l.issuer === issuer.subject && (!l.aki || !issuer.ski || l.aki === issuer.ski))),
  });
}

export function differential(label: string, algs: KeyAlg[], only?: (c: Case) => boolean) {
  const suite = test;
  const table: string[] = [];
  suite(`${label}: our verdict equals openssl verify on every case`, async () => {
    const pki = await makePki(algs);
    const cases = (await buildCases(pki)).filter(only ?? (() => true));
    for (const c of cases) {
      const anchor = c.anchor ?? pki.root.der;
      const ossl = opensslVerify({ root: anchor, chain: c.chain, cert: c.cert, crls: c.crls, at: c.at });
      const v = ours(c, anchor, false);
      const got = v.ok ? 'ok' : v.reason;
      const osslText = ossl.ok ? 'OK' : ossl.errors.map(([e, d]) => `${e}@${d}`).join(',');
      table.push(`  ${c.name.padEnd(86)} openssl ${osslText.padEnd(10)} ours ${got}${v.ok ? '' : '@' + v.depth}`);
      assert.is(v.ok, ossl.ok, `${c.name}: ours ${got} (${v.ok ? '' : v.detail}) vs openssl:\n${ossl.output}`);
      assert.is(got, c.expect, `${c.name}: expected ${c.expect}, got ${got} ${v.ok ? '' : v.detail}`);
      if (!v.ok) {
        const match = ossl.errors.some(([e, d]) => OPENSSL[v.reason].includes(e) && d === v.depth);
        assert.ok(match, `${c.name}: ours ${v.reason}@${v.depth}, openssl printed ${osslText}\n${ossl.output}`);
      }
      const profile = ours(c, anchor, true);
      const want = c.identity ?? c.expect;
      assert.is(profile.ok ? 'ok' : profile.reason, want, `${c.name}: registry profile`);
    }
    console.log(`${label} (${cases.length} cases):\n${table.join('\n')}`);
  });
  suite.run();
}

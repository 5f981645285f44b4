// One registry's identity (SPEC §5), built once per node by the composition root: its key
// and certificate chain, the signer for every request it sends to another registry, the
// verifier of every signed request it receives, issuing to children (register), and the
// certificates it revoked. Chains are checked against the root anchor with name
// constraints and the CRLs along the chain: ours (made here) and our ancestors' (fetched
// by crl-refresh.ts); a verdict is cached by chain hash and dropped when a CRL changes.
import { join } from 'node:path';
import {
  ChainVerifier, chainError, fingerprint, issueRegistryCertificate, parseCertificate, parseCsr, publicKeyToPem, toDer,
  type ParsedCert, type ParsedCrl, type RegistryKeyPair,
} from '../pki/index.js';
import { createSigner, createVerifier, type NonceStore, type Signer, type Verifier } from '../pki/httpsig/index.js';
import { createHash } from 'node:crypto';
import type { Issuer } from './registrar.js';
import { Revocations } from './revocations.js';

export interface IdentityMaterial {
  keys: RegistryKeyPair;
  certificatePem: string;
  /** Issuers of the certificate up to and including the root, nearest first (empty at the root). */
  chainPems: string[];
  /** The federation's trust anchor (the root's self-signed certificate). */
  rootPem: string;
}

export interface IdentityOptions {
  zone: string;
  material: IdentityMaterial;
  nonces: NonceStore;
  /** Where revocations are kept; absent = memory only. */
  dataDir?: string;
  fsync?: boolean;
  /** Lifetime of certificates issued to children (default one year). */
  childLifetimeMs?: number;
  /** Origins other registries address this node by (the signed target URI must be one). */
  origins?: string[];
}

/** SHA-256 of a key's SPKI, hex: "the same key" when a child registers again. */
export const keyFingerprint = (key: RegistryKeyPair['publicKey']) => createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');

export class NodeIdentity {
  readonly zone: string;
  readonly keys: RegistryKeyPair;
  certificatePem!: string;
  chainPems!: string[];
  leaf!: ParsedCert;
  signer!: Signer;
  readonly anchor: ParsedCert;
  /** The federation's trust anchor, PEM (what TLS peers are checked against). */
  readonly rootPem: string;
  readonly chains: ChainVerifier;
  readonly verify: Verifier;
  readonly issuer: Issuer;
  /** Current CRLs of our ancestors, by the issuing certificate's fingerprint. */
  private readonly ancestorCrls = new Map<string, ParsedCrl>();

  private constructor(private readonly opts: IdentityOptions, readonly revocations: Revocations) {
    this.zone = opts.zone;
    this.keys = opts.material.keys;
    this.anchor = parseCertificate(opts.material.rootPem);
    this.rootPem = opts.material.rootPem;
    this.setCertificate(opts.material.certificatePem, opts.material.chainPems);
    this.chains = new ChainVerifier({
      anchors: [this.anchor],
      crlFor: (issuer) => (issuer.fingerprint === this.leaf.fingerprint ? revocations.latest() : this.ancestorCrls.get(issuer.fingerprint)),
    });
    revocations.onChange(() => this.chains.invalidate());
    this.verify = createVerifier({
      nonces: opts.nonces,
      origins: opts.origins,
      verifyChain: async (ders, at) => {
        const v = this.chains.verify(ders, at.getTime());
        if (!v.ok) throw chainError(v);
        return { ok: true, leafPublicKey: v.leaf.publicKey, zone: v.zone, certFingerprint: v.fingerprint };
      },
    });
    this.issuer = {
      inspectCsr: async (pem) => {
        const csr = await parseCsr(pem);
        return { zone: csr.zone, keyFingerprint: keyFingerprint(csr.publicKey) };
      },
      issue: async (pem, zone) => {
        const csr = await parseCsr(pem);
        const cert = await issueRegistryCertificate(zone, csr.publicKey, { certificate: this.certificatePem, keys: this.keys }, { lifetimeMs: opts.childLifetimeMs });
        return { certificate: cert.pem, serial: cert.serial, notAfter: cert.notAfter.toISOString(), fingerprint: fingerprint(cert.der), keyFingerprint: keyFingerprint(csr.publicKey) };
      },
      chain: () => [this.certificatePem, ...this.chainPems],
    };
  }

  static async open(opts: IdentityOptions): Promise<NodeIdentity> {
    const revocations = await Revocations.open(
      { certificate: opts.material.certificatePem, keys: opts.material.keys },
      opts.dataDir ? join(opts.dataDir, 'revoked') : undefined,
      opts.fsync ?? true,
    );
    const id = new NodeIdentity(opts, revocations);
    await revocations.crl(); // so our own children's revocations are checked from the first request
    return id;
  }

  /** Our certificate's keyid (SPEC §5: sha256 of its DER). */
  get fingerprint(): string {
    return this.leaf.fingerprint;
  }

  /** DER chain as sent in Steward-Certificate-Chain: ours first, then issuers up to the root. */
  chainDers(): Uint8Array[] {
    return [this.certificatePem, ...this.chainPems].map((p) => toDer(p));
  }

  /** Takes a renewed certificate (same key) into use: signing and issuing switch to it. */
  setCertificate(certificatePem: string, chainPems: string[]) {
    this.leaf = parseCertificate(certificatePem);
    this.certificatePem = certificatePem;
    this.chainPems = chainPems;
    this.signer = createSigner({ privateKey: this.keys.privateKey, chain: this.chainDers() });
  }

  /** Our ancestors' certificates, nearest first (the certificates their CRLs must be checked against). */
  ancestors(): ParsedCert[] {
    return this.chainPems.map((p) => parseCertificate(p));
  }

  /** Takes an ancestor's CRL (already checked against that ancestor's certificate). */
  setAncestorCrl(issuer: ParsedCert, crl: ParsedCrl) {
    this.ancestorCrls.set(issuer.fingerprint, crl);
    this.chains.invalidate();
  }

  publicKeyPem(): string {
    return publicKeyToPem(this.keys.publicKey);
  }

  async close(): Promise<void> {
    await this.revocations.close();
    await this.opts.nonces.close();
  }
}

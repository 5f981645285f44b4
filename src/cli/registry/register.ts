// steward-registry register: the seed's step 3 — ask the parent registry for a namespace
// (SPEC §5 POST /v1/register) with a CSR made from our key, and keep the certificate and
// chain it issues beside the key, where `serve` finds a registered identity.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { enrol, parentZone, type Enrolled } from '../../identity/enrol.js';
import { keyFingerprint } from '../../identity/node-identity.js';
import { REGISTRY_NAME, saveRegistered, saveRegistration } from '../../identity/material.js';
import { keysFromPem, materialPaths, publicKeyFromPem, type RegistryKeyPair } from '../../pki/index.js';
import { parse, peerFor, urlFlag, usage } from './common.js';

export const help = `usage: steward-registry register --parent URL --namespace N --pubkey FILE [options]

Registers this registry's namespace with its parent registry (SPEC §5): sends a
certificate signing request for the key, and saves the certificate the parent issues
(one year) and its chain up to the root.

  --parent URL     the parent registry (e.g. https://com.steward-registry.org; a bare
                   host name means https://); required
  --namespace N    the namespace to register, one label below the parent's
                   (e.g. acme-corp.com under com); required
  --pubkey FILE    the registry's public key (registry.pub.pem from keygen); required
  --key FILE       the matching private key; the CSR must be signed with it to prove
                   possession (default: registry.key beside --pubkey)
  --endpoint URL   where other registries reach this one, sent to the parent for its
                   referrals (default: https://<namespace>.<root domain>)
  --region R       the endpoint's region (e.g. eu-west)
  --token T        a one-time register token from the parent's operator
                   (steward-registry invite), when the parent's policy.register is "token"
  --out DIR        where to write registry.pem (certificate), registry.chain.pem (issuers
                   up to the root) and registration.json (default: the key's directory;
                   another DIR also gets a copy of the key, 0600, so that
                   serve --data-dir finds a complete identity in DIR)

Registering the same namespace again with the same key renews the certificate.
Exit codes: 0 registered, 1 refused by the parent (taken 409, confusable 422, not
allowed 403), 2 usage error or bad request (400), 3 parent unreachable or failing.`;

/** "1 year", "30 days", "6 seconds": the certificate's real lifetime. */
export function lifetimeText(e: { notBefore: Date; notAfter: Date }): string {
  const s = Math.round((e.notAfter.getTime() - e.notBefore.getTime()) / 1000);
  const n = (v: number, unit: string) => `${v} ${unit}${v === 1 ? '' : 's'}`;
  if (s >= 360 * 86_400) return n(Math.round(s / (365 * 86_400)), 'year');
  if (s >= 2 * 86_400) return n(Math.round(s / 86_400), 'day');
  if (s >= 2 * 3600) return n(Math.round(s / 3600), 'hour');
  if (s >= 120) return n(Math.round(s / 60), 'minute');
  return n(s, 'second');
}

export function readKeyPair(keyFile: string, pubFile?: string): RegistryKeyPair {
  if (!existsSync(keyFile)) throw usage(`no private key at ${keyFile} (make one with steward-registry keygen, or pass --key)`);
  const keys = keysFromPem(readFileSync(keyFile, 'utf8'));
  if (pubFile) {
    if (!existsSync(pubFile)) throw usage(`no public key at ${pubFile}`);
    const pub = publicKeyFromPem(readFileSync(pubFile, 'utf8'));
    if (keyFingerprint(pub) !== keyFingerprint(keys.publicKey)) throw usage(`${pubFile} is not the public half of ${keyFile}`);
  }
  return keys;
}

/** The seed's lines, printed once the parent has issued the certificate. */
export function printRegistered(namespace: string, e: Enrolled) {
  console.log(`✅ Namespace reserved: ${namespace}${e.renewed ? ' (already registered to this key: renewed)' : ''}`);
  console.log(`✅ Certificate issued (valid ${lifetimeText(e)})`);
  console.log('✅ Federation active');
}

export async function command(args: string[]) {
  const v = parse(args, {
    parent: { type: 'string' }, namespace: { type: 'string' }, pubkey: { type: 'string' }, key: { type: 'string' },
    endpoint: { type: 'string' }, region: { type: 'string' }, token: { type: 'string' }, out: { type: 'string' },
  });
  if (v.help) return console.log(help);
  const parent = urlFlag('parent', v.parent);
  if (!parent) throw usage('register needs --parent URL');
  if (!v.namespace) throw usage('register needs --namespace N');
  if (!v.pubkey) throw usage('register needs --pubkey FILE (registry.pub.pem from keygen)');
  const pubFile = resolve(v.pubkey);
  const keyFile = resolve(v.key ?? materialPaths(dirname(pubFile), REGISTRY_NAME).key);
  const keys = readKeyPair(keyFile, pubFile);
  const out = resolve(v.out ?? dirname(keyFile));
  if (v.region !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(v.region)) throw usage(`--region must be lowercase letters, digits and dashes, got ${v.region}`);

  console.log('Registering with parent...');
  const peer = peerFor(parent);
  try {
    const p = await parentZone(peer, parent);
    const namespace = v.namespace as string;
    const zone = namespace.endsWith(`.${p.rootDomain}`) ? namespace : `${namespace}.${p.rootDomain}`;
    const endpoint = urlFlag('endpoint', v.endpoint) ?? `https://${zone}`;
    const endpoints = [{ url: endpoint, ...(v.region ? { region: v.region } : {}) }];
    const e = await enrol(peer, { parentUrl: parent, namespace, rootDomain: p.rootDomain, keys, endpoints, token: v.token });
    saveRegistered(out, { keys, certificatePem: e.certificatePem, chainPems: e.chainPems });
    saveRegistration(out, { parent, namespace, zone: e.zone, endpoints });
    printRegistered(namespace, e);
    const files = materialPaths(out, REGISTRY_NAME);
    console.log(`   zone ${e.zone}, registered in ${Math.round(e.ms)} ms`);
    console.log(`   certificate ${files.cert}, chain ${files.chain}`);
  } finally {
    await peer.close();
  }
}

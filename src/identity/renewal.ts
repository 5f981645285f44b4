// Certificate renewal (SPEC §5), a background service of a node with a registered
// identity: every `checkMs` it asks whether two-thirds of its certificate's lifetime has
// passed; when it has, it sends its parent a POST /v1/register with a new CSR for the
// same key, signed with the current certificate (the parent takes a request signed by
// the child as a renewal), keeps the answer on disk (saveRegistered) and switches the
// node to it (identity.setCertificate). A failed attempt is logged and tried again at
// the next check; one attempt runs at a time.
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/index.js';
import type { ZoneConfig } from '../zonefile/index.js';
import { PeerClient } from '../peer/index.js';
import { renewalDue } from '../pki/index.js';
import type { RegionEndpoint } from '../records/types.js';
import { enrol } from './enrol.js';
import { loadRegistration, saveRegistered } from './material.js';
import type { NodeIdentity } from './node-identity.js';

export interface RenewalOptions {
  identity: NodeIdentity;
  /** The registered identity's directory: the renewed certificate is written there. */
  dir: string;
  namespace: string;
  rootDomain: string;
  /** The parent's URL (the zone config's parent endpoint); registration.json's wins. */
  parentUrl?: string;
  /** Our endpoints, sent again with the renewal; registration.json's win. */
  endpoints: RegionEndpoint[];
  checkMs: number;
  timeoutMs: number;
  log: Logger;
  /** Loopback/private parent allowed (policy.upstreams.allow_private). */
  allowPrivate?: boolean;
}

export interface Renewal {
  /** Renews now if due (or `force`); true when a new certificate was taken into use. */
  check(force?: boolean): Promise<boolean>;
  close(): Promise<void>;
}

export function startRenewal(o: RenewalOptions): Renewal {
  const saved = loadRegistration(o.dir);
  const parentUrl = saved?.parent ?? o.parentUrl;
  const endpoints = saved?.endpoints ?? o.endpoints;
  const trustedHosts = parentUrl ? [new URL(parentUrl).hostname] : [];
  const peer = new PeerClient({ timeoutMs: o.timeoutMs, allowPrivate: o.allowPrivate, trustedHosts });
  let running: Promise<boolean> | undefined;
  let closed = false;

  const renew = async (): Promise<boolean> => {
    const { identity } = o;
    const e = await enrol(peer, { parentUrl: parentUrl!, namespace: o.namespace, rootDomain: o.rootDomain, keys: identity.keys, endpoints, signer: identity.signer });
    if (closed) return false;
    saveRegistered(o.dir, { keys: identity.keys, certificatePem: e.certificatePem, chainPems: e.chainPems });
    identity.setCertificate(e.certificatePem, e.chainPems);
    o.log.info({ zone: e.zone, not_after: e.notAfter.toISOString(), ms: Math.round(e.ms) }, 'registry certificate renewed');
    return true;
  };

  const check = (force = false): Promise<boolean> => {
    if (closed || !parentUrl) return Promise.resolve(false);
    if (!force && !renewalDue(o.identity.leaf)) return Promise.resolve(false);
    running ??= renew()
      .catch((err) => {
        o.log.warn({ err: (err as Error).message, zone: o.identity.zone }, 'certificate renewal failed; trying again at the next check');
        return false;
      })
      .finally(() => (running = undefined));
    return running;
  };

  const timer = setInterval(() => void check(), o.checkMs);
  timer.unref();
  return {
    check,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      await peer.close();
    },
  };
}

/** The renewal service of a node for `config` (what the composition root calls). */
export function nodeRenewal(config: ZoneConfig, identity: NodeIdentity, o: { dir: string; checkMs?: number; origins?: string[]; log: Logger }): Renewal {
  return startRenewal({
    identity,
    dir: o.dir,
    namespace: config.namespace,
    rootDomain: config.rootDomain,
    parentUrl: config.parent?.endpoints[0]?.url,
    endpoints: (o.origins ?? []).slice(0, 1).map((url) => ({ url, region: config.region })),
    checkMs: o.checkMs ?? DEFAULTS.identity.renewCheckMs,
    timeoutMs: DEFAULTS.peer.timeoutMs,
    allowPrivate: config.policy.upstreams.allowPrivate,
    log: o.log,
  });
}

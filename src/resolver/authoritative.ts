// The authoritative stage (rd=0): answer from this zone's own data only — the record,
// NXDOMAIN, a referral down to a delegated child, or a referral up for names outside.
import { StewardError } from '../errors/index.js';
import { childLabel, isWithin } from '../names/index.js';
import { OUTSIDE, visibleTo } from '../records/visibility.js';
import type { LocalAnswer, ZoneView } from './types.js';

/** The same zone as anyone outside it sees it (other registries, outside clients): only what visibleTo() lets out. */
export function outsideView(view: ZoneView): ZoneView {
  return {
    ...view,
    getAgent: (label) => {
      const r = view.getAgent(label);
      return r && visibleTo(r, OUTSIDE) ? r : undefined;
    },
  };
}

export function answerAuthoritatively(view: ZoneView, fqid: string): LocalAnswer {
  const { zone } = view;
  if (!isWithin(fqid, zone)) {
    if (!view.parent) {
      throw new StewardError('NOT_AUTHORITATIVE', `${fqid} is not under the root domain ${view.rootDomain}`);
    }
    return {
      status: 'REFERRAL',
      name: fqid,
      referral: { zone: view.parent.zone, endpoints: view.parent.endpoints, ttl: view.ttl.referral },
    };
  }
  if (fqid === zone) {
    return { status: 'NXDOMAIN', name: fqid, zone, ttl: view.ttl.negative, source: 'authoritative', path: [zone] };
  }
  const label = childLabel(fqid, zone)!;
  const childZone = `${label}.${zone}`;
  // A name deeper than one label below us can only exist through a delegation.
  const delegation = view.getDelegation(childZone);
  if (delegation) {
    return {
      status: 'REFERRAL',
      name: fqid,
      referral: { zone: delegation.zone, endpoints: delegation.endpoints, ttl: view.ttl.referral, certificate: delegation.certificate },
    };
  }
  if (childZone === fqid) {
    const record = view.getAgent(label);
    if (record) {
      return { status: 'NOERROR', name: fqid, answer: record, ttl: view.ttl.agent, source: 'authoritative', zone, path: [zone] };
    }
  }
  return { status: 'NXDOMAIN', name: fqid, zone, ttl: view.ttl.negative, source: 'authoritative', path: [zone] };
}

// The authoritative stage (rd=0): answer from this zone's own data only — the record,
// NXDOMAIN, a referral down to a delegated child, or a referral up for names outside.
import { StewardError } from '../errors/index.js';
import { childLabel, isWithin } from '../names/index.js';
import { OUTSIDE, visibleTo } from '../records/visibility.js';
import type { LocalAnswer, Referral, ZoneView } from './types.js';

// Referral objects, made once per delegation (or parent) and TTL and then shared (frozen):
// a resolver's rd=0 questions get the same referral again and again, and the answer
// renderer (http/answer-body.ts) reuses the bytes of an answer only when its referral is
// the very same object — so a referral's JSON (its certificate is most of it) is not
// serialised again for every question. A changed delegation is a new object: a miss.
const referrals = new WeakMap<object, Referral>();

function referralOf(key: object, ttl: number, make: () => Referral): Referral {
  let r = referrals.get(key);
  if (!r || r.ttl !== ttl) referrals.set(key, (r = Object.freeze(make())));
  return r;
}

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
      referral: referralOf(view.parent, view.ttl.referral, () => ({ zone: view.parent!.zone, endpoints: view.parent!.endpoints, ttl: view.ttl.referral })),
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
      referral: referralOf(delegation, view.ttl.referral, () => ({ zone: delegation.zone, endpoints: delegation.endpoints, ttl: view.ttl.referral, certificate: delegation.certificate })),
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

// steward-registry revoke: on the parent, revoke a child registry (SPEC §5): its
// certificate's serial goes on this registry's CRL (GET /v1/crl) and its delegation is
// withdrawn, so referrals to it stop at once. Signed with the node's own key
// (POST /v1/admin/revoke).
import { parse, usage } from './common.js';
import { findOperator, OPERATOR_HELP, OPERATOR_OPTIONS, signedPost } from './operator.js';

export const help = `usage: steward-registry revoke --zone CHILD (--data-dir DIR | --zone-file FILE) [options]

Run by the parent registry's operator: revokes child zone CHILD's certificate and
withdraws its delegation. Referrals to it stop at once, its signed requests are refused
(the serial is on this registry's GET /v1/crl), and it cannot register that name again.

  --zone CHILD     the child zone (acme-corp.com.steward-registry.org) or its namespace
                   (acme-corp.com); required
  --reason TEXT    why (kept with the revocation; at most 200 characters)
${OPERATOR_HELP}

Prints what was revoked. Exit codes: 0 revoked, 1 refused or no such child (404),
2 usage error, 3 the node is unreachable.`;

export async function command(args: string[]) {
  const v = parse(args, { ...OPERATOR_OPTIONS, zone: { type: 'string' }, reason: { type: 'string' } });
  if (v.help) return console.log(help);
  if (!v.zone) throw usage('revoke needs --zone CHILD (the child zone or its namespace)');
  const op = await findOperator(v);
  const child = String(v.zone).toLowerCase().replace(/\.$/, '');
  const zone = child.endsWith(`.${op.rootDomain}`) ? child : `${child}.${op.rootDomain}`;
  const r = await signedPost(op, '/v1/admin/revoke', { zone, ...(v.reason ? { reason: v.reason } : {}) });
  console.log(`✅ Revoked: ${r.zone}`);
  console.log(`✅ Certificate serial ${r.serial ?? '(none: a zone-file delegation)'} is on ${op.url}/v1/crl`);
  console.log(`✅ Delegation ${r.state ?? 'withdrawn'}${r.revoked_at ? ` at ${r.revoked_at}` : ''}`);
}

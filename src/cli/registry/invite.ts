// steward-registry invite: on the parent, a one-time register token for a namespace
// (policy.register "token", SPEC §5). The node makes it; this command asks for it with a
// request signed by the node's own key (POST /v1/admin/invite).
import { durationFlag, parse, usage } from './common.js';
import { findOperator, OPERATOR_HELP, OPERATOR_OPTIONS, signedPost } from './operator.js';

export const help = `usage: steward-registry invite --namespace N [--ttl 24h] (--data-dir DIR | --zone-file FILE) [options]

Run by the parent registry's operator: makes a one-time token that lets the holder
register namespace N (steward-registry register --token T) when the parent's zone policy
is register: "token". The token is bound to N, works once, and expires.

  --namespace N    the namespace the token is for, one label below this registry's
                   (e.g. acme-corp.com on com); required
  --ttl DURATION   how long the token is valid: 30s, 90m, 24h (default), 7d; at most 30d
${OPERATOR_HELP}
  --zone FILE      the same as --zone-file

Prints the token and when it expires. Exit codes: 0 made, 1 refused by the node,
2 usage error, 3 the node is unreachable.`;

export async function command(args: string[]) {
  const v = parse(args, { ...OPERATOR_OPTIONS, zone: { type: 'string' }, namespace: { type: 'string' }, ttl: { type: 'string' } });
  if (v.help) return console.log(help);
  v['zone-file'] ??= v.zone;
  if (!v.namespace) throw usage('invite needs --namespace N');
  const ttl = durationFlag('ttl', v.ttl, 86_400);
  if (ttl < 1 || ttl > 30 * 86_400) throw usage('--ttl must be from 1 s to 30 days');
  const op = await findOperator(v);
  const r = await signedPost(op, '/v1/admin/invite', { namespace: v.namespace, ttl_seconds: ttl });
  console.log(`✅ Register token for ${r.namespace} (one use): ${r.token}`);
  console.log(`✅ Expires: ${r.expires_at}`);
  console.log(`   Give it to the registering operator: steward-registry register --parent ${op.url} --namespace ${r.namespace} --token ${r.token} --pubkey …`);
}

// steward resolve: one name, one answer, dig-style. The registry does the recursion; the
// client only asks, prints, and turns the answer's status into an exit code.
import { normalizeName } from '../../names/index.js';
import { COMMON_NET, parse, positionals, registryUrl, timeoutMs } from './args.js';
import { geoCandidates, withFailover } from './geo.js';
import { RegistryClient, badAnswer, problemError } from './http.js';
import { clean, columns, fields, fmtMs, fmtTrust, num, str, type Io } from './output.js';

export const help = `Usage: steward resolve <name> [options]

Resolves an agent name to its record, following delegations from the registry asked.
<name> is a fully qualified agent ID, a short name (an agent in the registry's own zone),
or a dotted name without the root domain (it is appended).

Options:
  --registry URL   registry to ask (default: $STEWARD_REGISTRY)
  --trace          print every step of the resolution, like dig +trace
  --no-recurse     ask for this registry's own data only (rd=0): the record, NXDOMAIN
                   or a referral to the zone that knows
  --geo-aware      measure latency to the registry's replicas, ask the closest, fail
                   over to the next if it fails (the choice is remembered for 10 min)
  --json           print the registry's JSON answer
  --timeout MS     give up on a registry after MS milliseconds (default 5000)
  -h, --help       this help

Exit codes: 0 found (or a referral with --no-recurse), 1 no such agent,
            2 usage error, 3 registry unreachable, timed out or failing.`;

const OPTIONS = { ...COMMON_NET, trace: { type: 'boolean' }, 'no-recurse': { type: 'boolean' }, 'geo-aware': { type: 'boolean' } } as const;

export async function command(argv: string[], io: Io): Promise<number> {
  const { values, positionals: pos } = parse('resolve', argv, OPTIONS);
  if (values.help) {
    io.out(help);
    return 0;
  }
  const [input] = positionals('resolve', pos, ['name']);
  const name = normalizeName(input); // a malformed name is the user's mistake: exit 2, no round trip
  const base = registryUrl('resolve', values.registry);
  const client = new RegistryClient(timeoutMs('resolve', values.timeout));
  try {
    const q = new URLSearchParams({ name });
    if (values['no-recurse']) q.set('rd', '0');
    if (values.trace) q.set('trace', '1');
    // With --json, stdout is only the API's JSON; the measurements go to stderr.
    const say = values.json ? io.err : io.out;
    const candidates = values['geo-aware'] ? await geoCandidates(client, base, say) : [base];
    let failedTrace: unknown;
    const answer = withFailover(base, candidates, say, io.err, async (registry) => {
      const url = `${registry}/v1/resolve?${q}`;
      const res = await client.call('GET', url);
      const b = res.json as Record<string, unknown> | undefined;
      const s = str(b?.status);
      const known = s === 'NOERROR' || s === 'REFERRAL' || s === 'NXDOMAIN';
      if (res.status >= 400 && s !== 'NXDOMAIN') {
        failedTrace = b?.trace; // a failed walk: its trace (sent with the problem) shows where it failed
        throw problemError(res, url);
      }
      if (!b || !known) throw badAnswer(res, url, 'a resolve answer (NOERROR, NXDOMAIN or REFERRAL)');
      return b;
    });
    const { value: body } = await answer.catch((err) => {
      if (values.trace && !values.json && failedTrace !== undefined) printTrace(io, name, failedTrace);
      throw err;
    });
    const status = str(body.status);

    if (values.json) io.out(JSON.stringify(body, null, 2));
    else {
      if (values.trace) printTrace(io, name, body.trace);
      printAnswer(io, name, body);
    }
    return status === 'NXDOMAIN' ? 1 : 0;
  } finally {
    await client.close();
  }
}

function printAnswer(io: Io, asked: string, body: Record<string, unknown>): void {
  if (body.status === 'NXDOMAIN') {
    const ttl = num(body.ttl);
    const zone = str(body.zone);
    io.out(`${clean(body.name ?? asked)}: NXDOMAIN (no such agent${zone ? `; denied by ${clean(zone)}` : ''}${ttl !== undefined ? `, negative ttl ${ttl}s` : ''})`);
    return;
  }
  if (body.status === 'REFERRAL') {
    const ref = (body.referral ?? {}) as Record<string, unknown>;
    io.out(`${clean(body.name ?? asked)}: REFERRAL to ${clean(ref.zone)}`);
    io.out(fields([
      ['endpoints', endpointList(ref.endpoints)],
      ['ttl', num(ref.ttl) !== undefined ? `${ref.ttl}s` : undefined],
    ]).join('\n'));
    return;
  }
  const rec = (body.answer ?? {}) as Record<string, unknown>;
  const caps = Array.isArray(rec.capabilities) ? rec.capabilities.map(clean).join(', ') : undefined;
  const path = Array.isArray(body.path) ? body.path.map(clean).join(' → ') : undefined;
  io.out(clean(rec.id ?? body.name ?? asked));
  io.out(fields([
    ['version', str(rec.version) && clean(rec.version)],
    ['description', str(rec.description) && clean(rec.description)],
    ['endpoints', endpointList(rec.endpoints)],
    ['capabilities', caps],
    ['trust', fmtTrust(rec.trust)],
    ['zone', clean(body.zone ?? rec.zone)],
    ['source', `${clean(body.source ?? 'unknown')}${num(body.ttl) !== undefined ? `, ttl ${body.ttl}s` : ''}`],
    ['fingerprint', str(rec.fingerprint) && clean(rec.fingerprint)],
    ['path', path],
  ]).join('\n'));
}

function endpointList(endpoints: unknown): string | undefined {
  if (!Array.isArray(endpoints) || endpoints.length === 0) return undefined;
  return endpoints
    .map((e) => {
      const ep = (e ?? {}) as Record<string, unknown>;
      const extra = [ep.protocol, ep.region].filter((x) => typeof x === 'string' && x).map(clean);
      return `${clean(ep.url)}${extra.length ? ` (${extra.join(', ')})` : ''}`;
    })
    .join('\n');
}

/**
 * Steps as the resolver reports them (src/resolver/types.ts TraceStep:
 * { kind, zone, outcome, endpoint?, referral?, ttl?, rtt_ms?, error? }). The shape is the
 * resolver's to evolve, so older or other spellings (status, server, ms, cache) are
 * read too, and anything odd is shown cleaned rather than trusted.
 */
function printTrace(io: Io, name: string, trace: unknown): void {
  io.out(`;; trace for ${clean(name)}`);
  if (!Array.isArray(trace) || trace.length === 0) {
    io.out(';; (the registry returned no trace steps)');
    io.out();
    return;
  }
  const rows = trace.map((step, i) => {
    if (!step || typeof step !== 'object') return [`${i + 1}.`, clean(step)];
    const s = step as Record<string, unknown>;
    const ref = s.referral;
    const refZone = typeof ref === 'string' ? ref : ref && typeof ref === 'object' ? (ref as Record<string, unknown>).zone : undefined;
    const server = s.endpoint ?? s.server;
    const kind = str(s.kind) ?? (s.cache === true ? 'cache' : s.cache ? `cache:${clean(s.cache)}` : undefined);
    const notes = [
      server && kind && kind !== 'query' ? clean(kind) : '',
      num(s.ttl) !== undefined ? `ttl ${s.ttl}s` : '',
      s.error ? `(${clean(s.error)})` : '',
    ].filter(Boolean);
    return [
      `${i + 1}.`,
      clean(s.zone ?? '?'),
      server ? `@${clean(server)}` : kind ? `(${clean(kind)})` : '',
      clean(s.outcome ?? s.status ?? ''),
      refZone ? `→ ${clean(refZone)}` : '',
      fmtMs(s.rtt_ms ?? s.ms),
      notes.join(' '),
    ];
  });
  for (const line of columns(rows)) io.out(`;; ${line}`);
  io.out();
}

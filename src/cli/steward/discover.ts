// steward discover: search by capability or keyword. The registry does the escalation
// (local → parent → root, or all at once with --federated); the client prints what each
// registry said, the seed's way, and the merged table.
import { StewardError } from '../../errors/index.js';
import { DEFAULTS } from '../../config/index.js';
import { isWithin } from '../../names/index.js';
import { COMMON_NET, oneOf, parse, positionals, positiveInt, registryUrl, timeoutMs, usage } from './args.js';
import { RegistryClient, badAnswer } from './http.js';
import { geoCandidates, withFailover } from './geo.js';
import { boxTable, clean, fmtMs, fmtTrust, num, plural, str, type Io } from './output.js';

export const help = `Usage: steward discover <query> [options]

Finds agents by capability or keyword. By default the registry asks its own zone, then
its parent, then the root, stopping at the first that has results.

Options:
  --federated          ask local, parent, root and the parent's other children at once
                       (same as --scope federated)
  --scope S            local | hierarchy | federated (default: hierarchy)
  --sort K             trust | latency | name (default: trust)
  --limit N            at most N results
  --geo-aware          measure latency to the registry's replicas, use the closest,
                       fail over to the next if it fails
  --registry URL       registry to ask (default: $STEWARD_REGISTRY)
  --json               print the registry's JSON answer
  --timeout MS         give up on a registry after MS milliseconds (default 5000)
  -h, --help           this help

Exit codes: 0 agents found, 1 no results, 2 usage error,
            3 registry unreachable, timed out or failing.`;

const OPTIONS = {
  ...COMMON_NET,
  federated: { type: 'boolean' },
  'geo-aware': { type: 'boolean' },
  scope: { type: 'string' },
  sort: { type: 'string' },
  limit: { type: 'string' },
} as const;

const SCOPES = ['local', 'hierarchy', 'federated'] as const;
const SORTS = ['trust', 'latency', 'name'] as const;

export async function command(argv: string[], io: Io): Promise<number> {
  const { values, positionals: pos } = parse('discover', argv, OPTIONS);
  if (values.help) {
    io.out(help);
    return 0;
  }
  const [query] = positionals('discover', pos, ['query']);
  if (!query.trim()) throw usage('the query is empty', 'discover');
  let scope = oneOf('discover', '--scope', values.scope, SCOPES);
  if (values.federated) {
    if (scope && scope !== 'federated') throw usage(`--federated contradicts --scope ${scope}`, 'discover');
    scope = 'federated';
  }
  const sort = oneOf('discover', '--sort', values.sort, SORTS) ?? 'trust';
  const limit = values.limit === undefined ? undefined : positiveInt('discover', '--limit', values.limit, 10_000);
  const base = registryUrl('discover', values.registry);
  const client = new RegistryClient(timeoutMs('discover', values.timeout));
  // With --json, stdout is only the API's JSON; progress goes to stderr.
  const say = values.json ? io.err : io.out;
  try {
    const candidates = values['geo-aware'] ? await geoCandidates(client, base, say) : [base];
    const q = new URLSearchParams({ q: query.trim(), sort });
    if (scope) q.set('scope', scope);
    if (limit !== undefined) q.set('limit', String(limit));

    const { value: body, url: used } = await withFailover(base, candidates, say, io.err, async (url) => {
      const target = `${url}/v1/discover?${q}`;
      const res = await client.callOk('GET', target);
      const b = res.json as Record<string, unknown> | undefined;
      if (!b || typeof b !== 'object' || !Array.isArray(b.results)) throw badAnswer(res, target, 'a discover answer');
      return b;
    });
    const results = Array.isArray(body?.results) ? body.results : [];
    if (values.json) io.out(JSON.stringify(body, null, 2));
    else printHuman(io, query.trim(), used, sort, body ?? {});
    return results.length > 0 ? 0 : 1;
  } finally {
    await client.close();
  }
}

type Obj = Record<string, unknown>;
const OK_STATUS = /^(ok|answered|noerror|success)$/i;

function printHuman(io: Io, query: string, base: string, sort: string, body: Obj): void {
  const registries = (Array.isArray(body.registries) ? body.registries : []).filter((r): r is Obj => !!r && typeof r === 'object');
  const results = (Array.isArray(body.results) ? body.results : []).filter((r): r is Obj => !!r && typeof r === 'object');
  const local =
    str(registries.find((r) => r.role === 'local')?.zone) ??
    str(registries.find((r) => sameUrl(str(r.url), base))?.zone) ??
    str(registries[0]?.zone) ??
    '';
  const root = rootDomain(results) ?? topAncestor(local, registries) ?? DEFAULTS.rootDomain;

  let answered = 0;
  for (const r of registries) {
    const zone = str(r.zone) ?? '?';
    const status = str(r.status);
    const label = `${role(r, zone, local, root)} Registry (${clean(zone)})`;
    if (status && !OK_STATUS.test(status)) {
      const why = str(r.error) ?? str(r.detail);
      io.out(`${label}: ${clean(status)}${why ? ` (${clean(why)})` : ''}`);
      continue;
    }
    answered++;
    const count = num(r.count) ?? 0;
    io.out(`${label}: ${count === 0 ? 'No results' : `${plural(count, 'result')} found`}`);
  }
  if (registries.length) io.out();

  if (results.length === 0) {
    io.out(`No agents found for ${JSON.stringify(clean(query))} across ${plural(answered, 'registry', 'registries')}.`);
    return;
  }
  io.out(`Found ${plural(results.length, 'agent')} across ${plural(answered, 'registry', 'registries')}:`);
  const rows = results.map((a) => {
    const reg = str(a.registry) ?? '';
    return [
      clean(shortName(str(a.id) ?? str(a.name) ?? '?', root)),
      clean(reg === root ? 'root' : shortName(reg, root)),
      fmtTrust(a.trust),
      `${fmtMs(a.latency_ms)}${reg && reg === local ? ' (local)' : ''}`,
    ];
  });
  for (const line of boxTable(['Agent ID', 'Registry', 'Trust', 'Latency'], rows)) io.out(line);
  io.out();
  io.out(`Sorted by ${sort} (--sort trust|latency|name)`);
}

/** The role the server names, else worked out from where the zone sits relative to ours. */
function role(r: Obj, zone: string, local: string, root: string): string {
  const given = str(r.role);
  if (given) return clean(given.charAt(0).toUpperCase() + given.slice(1));
  if (zone === local) return 'Local';
  if (local && isWithin(local, zone)) {
    if (local.slice(local.indexOf('.') + 1) === zone) return 'Parent';
    return zone === root ? 'Root' : 'Ancestor';
  }
  return 'Sibling';
}

/** The root domain, read off a result: id = <name>.<namespace>.<root>. */
function rootDomain(results: Obj[]): string | undefined {
  for (const a of results) {
    const id = str(a.id), name = str(a.name), ns = str(a.namespace);
    if (!id || !name || ns === undefined) continue;
    const prefix = ns ? `${name}.${ns}.` : `${name}.`;
    if (id.startsWith(prefix) && id.length > prefix.length) return id.slice(prefix.length);
  }
  return undefined;
}

function topAncestor(local: string, registries: Obj[]): string | undefined {
  const ancestors = registries.map((r) => str(r.zone) ?? '').filter((z) => z && z !== local && isWithin(local, z));
  return ancestors.sort((a, b) => a.length - b.length)[0];
}

/** Drops the root domain: what is left still resolves (SPEC §1 appends it back). */
function shortName(name: string, root: string): string {
  return name.endsWith(`.${root}`) ? name.slice(0, -(root.length + 1)) : name;
}

function sameUrl(a: string | undefined, b: string): boolean {
  if (!a) return false;
  try {
    return new URL(a).href.replace(/\/+$/, '') === new URL(b).href.replace(/\/+$/, '');
  } catch {
    return false;
  }
}

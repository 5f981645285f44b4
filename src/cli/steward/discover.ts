// steward discover: search by capability or keyword. The registry does the escalation
// (local → parent → root, or all at once with --federated); the client prints what each
// registry said, the seed's way, and the merged table.
import { COMMON_NET, oneOf, parse, positionals, positiveInt, registryUrl, timeoutMs, usage } from './args.js';
import { RegistryClient, badAnswer, problemError } from './http.js';
import { geoCandidates, withFailover } from './geo.js';
import type { Io } from './output.js';
import { printHuman, progressLine, type Obj } from './discover-print.js';

export const help = `Usage: steward discover <query> [options]

Finds agents by capability or keyword. By default the registry asks its own zone, then
its parent, then the root, stopping at the first that has results.

Options:
  --federated          ask local, parent, root and the parent's other children at once
                       (same as --scope federated)
  --hierarchy          local, then the parent, then the root, stopping at the first
                       with results (the default; same as --scope hierarchy)
  --scope S            local | hierarchy | federated (default: hierarchy)
  --sort K             trust | latency | name (default: trust)
  --limit N            show at most N agents (the count found is still said)
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
  hierarchy: { type: 'boolean' },
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
  for (const flag of ['federated', 'hierarchy'] as const) {
    if (!values[flag]) continue;
    if (scope && scope !== flag) throw usage(`--${flag} contradicts ${values.scope ? `--scope ${scope}` : `--${scope}`}`, 'discover');
    scope = flag;
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
      // On a terminal, the registry streams each registry's report as it answers.
      const res = io.status && !values.json ? await streamed(client, target, io) : await client.callOk('GET', target);
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

async function streamed(client: RegistryClient, target: string, io: Io) {
  const seen: Obj[] = [];
  const show = io.status!;
  show('Querying registries...');
  try {
    const res = await client.stream(target, (line) => {
      const r = (line as Obj | undefined)?.registry;
      if (r && typeof r === 'object') show(progressLine((seen.push(r as Obj), seen)));
    });
    if (res.status >= 400) throw problemError(res, target);
    return res;
  } finally {
    show(undefined);
  }
}

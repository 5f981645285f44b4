// What `steward discover` prints (the seed's "Discovery protocol" and "Federated search"):
// one escalation line per registry asked, with the agents it found listed under it,
// then "Found N agents across M registries" (or "Showing 1 of 2 agents found across …"
// when --limit cut the list) and the box table. Everything a registry sent is untrusted
// text and goes through clean().
import { DEFAULTS } from '../../config/index.js';
import { isWithin } from '../../names/index.js';
import { boxTable, clean, fmtMs, fmtTrust, num, plural, str, type Io } from './output.js';

export type Obj = Record<string, unknown>;
const OK_STATUS = /^(ok|answered|noerror|success)$/i;
/** Agents listed under one escalation line; the rest are "… and N more". */
const LISTED = 10;

const objects = (x: unknown): Obj[] => (Array.isArray(x) ? x : []).filter((r): r is Obj => !!r && typeof r === 'object');

export function printHuman(io: Io, query: string, base: string, sort: string, body: Obj): void {
  const registries = objects(body.registries);
  const results = objects(body.results);
  const local =
    str(registries.find((r) => r.role === 'local')?.zone) ??
    str(registries.find((r) => sameUrl(str(r.url), base))?.zone) ??
    str(registries[0]?.zone) ??
    '';
  const root = rootDomain(results) ?? topAncestor(local, registries) ?? DEFAULTS.rootDomain;
  const localNs = local === root ? '' : shortName(local, root);

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
    const ids = (Array.isArray(r.agents) ? r.agents : []).filter((a): a is string => typeof a === 'string');
    for (const id of ids.slice(0, LISTED)) io.out(`  - ${agentLine(id, root, localNs, str(r.role) === 'root' || zone === root)}`);
    const more = Math.max(count, ids.length) - Math.min(ids.length, LISTED);
    if (ids.length > 0 && more > 0) io.out(`  … and ${more} more`);
  }
  if (registries.length) io.out();

  const across = plural(answered, 'registry', 'registries');
  if (results.length === 0) {
    io.out(`No agents found for ${JSON.stringify(clean(query))} across ${across}.`);
    return;
  }
  const total = Math.max(num(body.total) ?? results.length, results.length);
  io.out(
    total > results.length
      ? `Showing ${results.length} of ${plural(total, 'agent')} found across ${across}:`
      : `Found ${plural(results.length, 'agent')} across ${across}:`,
  );
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

/**
 * One agent under an escalation line, the seed's way: `name (this namespace)` for the
 * asking registry's own namespace, `name (com → acme-corp)` at the root, else
 * `name (acme-corp.com)`.
 */
function agentLine(id: string, root: string, localNs: string, atRoot: boolean): string {
  const short = shortName(id, root);
  const dot = short.indexOf('.');
  const name = dot < 0 ? short : short.slice(0, dot);
  const ns = dot < 0 ? '' : short.slice(dot + 1);
  const where = ns === localNs ? 'this namespace' : !ns ? 'root' : atRoot ? ns.split('.').reverse().join(' → ') : ns;
  return clean(`${name} (${where})`);
}

/** The progress line while registries answer: who has, with their counts. */
export function progressLine(seen: Obj[]): string {
  const parts = seen.map((r) => {
    const zone = clean(shortName(str(r.zone) ?? '?', DEFAULTS.rootDomain));
    const status = str(r.status) ?? 'ok';
    return `${zone}: ${OK_STATUS.test(status) ? (num(r.count) ?? 0) : clean(status)}`;
  });
  return `Querying registries... ${plural(seen.length, 'answered', 'answered')} (${parts.join(', ')})`;
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

// What `federation up` (npm start) prints: the banner first, then the zones as a tree
// from the root. The nodes' log lines written while they start are held back and
// written after the banner, so a new user sees the registries before any JSON.
import { pino, type Logger } from 'pino';
import { readEnv } from '../../config/index.js';

/** Lines held before release(): beyond this many bytes the rest are counted, not kept. */
const MAX_HELD_BYTES = 1024 * 1024;

export interface HeldLogger {
  log: Logger;
  /** Writes what was held (to the same stream) and lets later lines through. */
  release(): void;
}

export function heldLogger(out: { write(s: string): unknown } = process.stdout): HeldLogger {
  let held: string[] | undefined = [];
  let bytes = 0;
  let dropped = 0;
  const stream = {
    write(line: string) {
      if (!held) return void out.write(line);
      if (bytes + line.length > MAX_HELD_BYTES) return void dropped++;
      held.push(line);
      bytes += line.length;
    },
  };
  return {
    log: pino({ level: readEnv().logLevel, base: undefined }, stream),
    release() {
      if (!held) return;
      const lines = held;
      held = undefined;
      for (const l of lines) out.write(l);
      if (dropped) out.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: `${dropped} start-up log lines were dropped (over ${MAX_HELD_BYTES} bytes held)` })}\n`);
    },
  };
}

export interface ZoneLine {
  zone: string;
  parent?: string;
  url: string;
  /** Shown after the zone's name, e.g. "(registered)" or "(replica, eu-west)". */
  note?: string;
}

/**
 * The zones as a tree: each zone under its parent (a zone whose parent is not in the
 * list is a root), children in name order.
 *   steward-registry.org                    http://127.0.0.1:7300
 *   ├─ com.steward-registry.org             http://127.0.0.1:7310
 *   │  └─ vibe-agency.com.steward-registry.org ...
 */
export function zoneTree(all: ZoneLine[]): string[] {
  // A zone served by several nodes (replicas in regions) is one place in the tree; its
  // other nodes are listed right below its first one.
  const extra = new Map<string, ZoneLine[]>();
  const zones: ZoneLine[] = [];
  for (const z of all) {
    if (zones.some((p) => p.zone === z.zone)) extra.set(z.zone, [...(extra.get(z.zone) ?? []), z]);
    else zones.push(z);
  }
  const known = new Set(zones.map((z) => z.zone));
  const children = new Map<string | undefined, ZoneLine[]>();
  for (const z of zones) {
    const key = z.parent && known.has(z.parent) ? z.parent : undefined;
    children.set(key, [...(children.get(key) ?? []), z]);
  }
  for (const list of children.values()) list.sort((a, b) => a.zone.localeCompare(b.zone));
  const rows: [string, string][] = [];
  const visit = (z: ZoneLine, prefix: string, branch: string, seen: Set<string>) => {
    const label = (l: ZoneLine) => `${l.zone}${l.note ? ` ${l.note}` : ''}`;
    rows.push([`${prefix}${branch}${label(z)}`, z.url]);
    if (seen.has(z.zone)) return;
    const cont = prefix + (branch === '├─ ' ? '│  ' : branch === '└─ ' ? '   ' : '');
    const kidsHere = children.get(z.zone)?.length ? '│ ' : '  ';
    for (const r of extra.get(z.zone) ?? []) rows.push([`${cont}${kidsHere} ${label(r)}`, r.url]); // (a parent loop in zone files: print once, do not recurse)
    seen.add(z.zone);
    const kids = children.get(z.zone) ?? [];
    const under = prefix + (branch === '├─ ' ? '│  ' : branch === '└─ ' ? '   ' : '');
    kids.forEach((k, i) => visit(k, under, i === kids.length - 1 ? '└─ ' : '├─ ', seen));
  };
  const seen = new Set<string>();
  for (const r of children.get(undefined) ?? []) visit(r, '', '', seen);
  // Zones only reachable through a loop of parents are still listed.
  for (const z of zones) if (!seen.has(z.zone)) visit(z, '', '', seen);
  const width = Math.max(...rows.map(([n]) => [...n].length));
  return rows.map(([n, url]) => `${n}${' '.repeat(width - [...n].length)}  ${url}`);
}

// The geo-aware choice, remembered: <cache dir>/steward/geo.json maps a registry URL to its
// replicas closest first, so every command does not probe again. Advisory only: a missing,
// unreadable, oversized or malformed file is as good as no file, and a failed write is ignored.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnv } from '../../config/index.js';

/** How long a measurement is trusted. */
export const GEO_CACHE_MS = 10 * 60_000;
const MAX_FILE_BYTES = 64 * 1024;
const MAX_ENTRIES = 32;
const MAX_URLS = 33; // a zone's 32 replicas and itself

export interface Ranked {
  /** The replicas that answered, closest first. */
  urls: string[];
  /** When they were measured (ms since the epoch). */
  at: number;
}

type File = Record<string, Ranked>;

export const geoCachePath = () => join(readEnv().cacheDir, 'steward', 'geo.json');

function readAll(): File {
  const path = geoCachePath();
  try {
    if (statSync(path).size > MAX_FILE_BYTES) return {};
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
    const out: File = {};
    for (const [base, v] of Object.entries(raw as Record<string, unknown>)) {
      const e = v as Partial<Ranked> | null;
      if (!e || typeof e.at !== 'number' || !Array.isArray(e.urls)) continue;
      const urls = e.urls.filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u)).slice(0, MAX_URLS);
      if (urls.length) out[base] = { urls, at: e.at };
    }
    return out;
  } catch {
    return {};
  }
}

/** The remembered ranking for `base`, unless older than GEO_CACHE_MS. */
export function recall(base: string, now = Date.now()): Ranked | undefined {
  const e = readAll()[base];
  return e && now - e.at >= 0 && now - e.at < GEO_CACHE_MS ? e : undefined;
}

export function remember(base: string, urls: string[], at = Date.now()): void {
  const all = readAll();
  all[base] = { urls: urls.slice(0, MAX_URLS), at };
  write(all);
}

/** Drops what is remembered for `base` (its closest failed): the next command measures again. */
export function forget(base: string): void {
  const all = readAll();
  if (!(base in all)) return;
  delete all[base];
  write(all);
}

function write(all: File): void {
  const kept = Object.entries(all).sort((a, b) => b[1].at - a[1].at).slice(0, MAX_ENTRIES);
  const path = geoCachePath();
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(kept)));
    renameSync(tmp, path);
  } catch {
    // a read-only or full cache directory only costs a fresh measurement next time
  }
}

// bench-load's names: the demo's own agents (the warm set, asked once through the leaf so
// its cache holds them) and a pool of names published beforehand in the branch zones,
// each to be asked exactly once during the run (the cold set).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'undici';
import type { ProcNode } from '../bench-common/federation.js';
import { REPO } from '../bench-common/procs.js';
import { agentName, manifestFor, newPublisher, signJws, type BenchPublisher } from '../bench-zone/data.js';

/** Every demo agent's FQID, each resolved once through `leaf` (must answer 200). */
export async function seedNames(_urls: string[], leaf: string): Promise<string[]> {
  const dir = join(REPO, 'zones');
  const names = readdirSync(dir).filter((f) => f.endsWith('.json')).flatMap((f) => {
    const z = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { zone: string; agents?: { name: string }[] };
    return (z.agents ?? []).map((a) => `${a.name}.${z.zone}`);
  });
  for (const n of names) {
    const r = await fetch(`${leaf}/v1/resolve?name=${n}`, { signal: AbortSignal.timeout(10_000) });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`warm name ${n}: HTTP ${r.status}`);
  }
  return names;
}

/** Publishes `count` agents spread over `zones` (64 in flight each); returns their FQIDs, in an interleaved order. */
export async function publishPool(zones: ProcNode[], count: number, status: (t: () => string) => void): Promise<string[]> {
  let done = 0;
  let refused = 0;
  let firstError = '';
  status(() => `${done}/${count} published, ${refused} refused`);
  const perZone = zones.map(() => [] as string[]);
  await Promise.all(
    zones.map(async (z, zi) => {
      const namespace = z.zone.split('.').slice(0, -2).join('.'); // (the root domain has two labels)
      const pool = new Pool(z.url, { connections: 16, headersTimeout: 30_000, bodyTimeout: 30_000 });
      let pub: BenchPublisher | undefined;
      let i = zi;
      const lane = async () => {
        while (i < count) {
          const n = i;
          i += zones.length;
          if (!pub || n % 400 < zones.length) pub = newPublisher();
          const name = `${agentName(n)}-${n}`.slice(0, 63).replace(/-+$/, '');
          const m = { ...manifestFor(n), name, namespace, visibility: 'public', endpoints: [{ url: `https://agents.example/${name}`, protocol: 'a2a' }] };
          const res = await pool.request({ method: 'POST', path: '/v1/agents', headers: { 'content-type': 'application/jose' }, body: signJws(m, pub) });
          const text = await res.body.text();
          if (res.statusCode === 201 || res.statusCode === 200) perZone[zi]!.push(`${name}.${z.zone}`);
          else {
            refused++;
            firstError ||= `${z.zone}: ${res.statusCode} ${text.slice(0, 200)}`;
          }
          done++;
        }
      };
      await Promise.all(Array.from({ length: 64 }, lane));
      await pool.close();
    }),
  );
  if (refused > count * 0.01) throw new Error(`${refused} of ${count} publishes refused; first: ${firstError}`);
  const out: string[] = [];
  for (let k = 0; out.length < done - refused; k++) for (const list of perZone) if (k < list.length) out.push(list[k]!);
  return out;
}

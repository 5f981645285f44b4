import { startProcFederation } from './bench-common/federation.js';
import { fixedRate } from './bench-resolve/drivers.js';
const fed = await startProcFederation({ policy: (p: any) => ({ ...p, limits: { ...(p.limits ?? {}), reads_per_client: { points: 10_000_000, per_seconds: 1 } } }), log: () => {}, nodeArgs: ['--import', '/tmp/sw/stall-watch.mjs'] });
const leaf = fed.byZone(`vibe-agency.com.${fed.root}`);
console.log('leaf', leaf.pid, 'now', Math.round(performance.now()));
const url = `${leaf.url}/v1/resolve?name=claude-architect.anthropic.org.${fed.root}`;
await fetch(url).then((r) => r.text());
for (let i = 0; i < 5; i++) {
  const t = Date.now();
  const r: any = await fixedRate(url, { rate: 10000, seconds: 20 });
  console.log(i, 'epoch', t, 'lat', JSON.stringify(r.latency_ms), 'svc max', r.service_ms.max, 'genlag max', r.generator_tick_lag_ms.max);
}
await fed.close();

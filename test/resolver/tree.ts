// Test fixture, not product code: a small registry tree made of real HTTP servers on
// 127.0.0.1:0, each serving `GET /v1/resolve?rd=0` with answerAuthoritatively over an
// in-memory ZoneView. Servers count the requests they get, can be slowed, hung, made to
// fail, stopped and started again, or told to answer something else (to build loops).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StewardError, toProblem } from '../../src/errors/index.js';
import { normalizeName } from '../../src/names/index.js';
import type { AgentRecord, RegionEndpoint } from '../../src/records/types.js';
import { answerAuthoritatively } from '../../src/resolver/authoritative.js';
import type { LocalAnswer, ZoneView } from '../../src/resolver/types.js';
import type { Metrics } from '../../src/metrics/index.js';
import { createNodeResolver, type Resolver, type ResolverLimits, type UpstreamOptions } from '../../src/resolver/index.js';

export const ROOT = 'steward-registry.org';

export interface ZoneSpec {
  /** Namespace relative to the root ('' for the root zone). */
  ns: string;
  agents?: string[];
  children?: ZoneSpec[];
  /** Number of servers (replicas) for this zone; default 1. */
  servers?: number;
  ttl?: Partial<ZoneView['ttl']>;
}

export class AuthServer {
  requests = 0;
  readonly byName = new Map<string, number>();
  /** Added latency per request (ms). */
  delayMs = 0;
  mode: 'ok' | 'hang' | 'error' = 'ok';
  /** Answer something else for a name (return undefined to answer normally). */
  override?: (name: string) => LocalAnswer | undefined;
  /** The resolver header of the last question (who asked). */
  lastAsker?: string;
  url = '';
  private server: Server;
  private port = 0;

  constructor(readonly zone: string, private readonly view: () => ZoneView) {
    this.server = this.make();
  }

  private make(): Server {
    return createServer((req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(JSON.stringify(body));
    };
    if (u.pathname !== '/v1/resolve') return send(404, toProblem(new StewardError('NOT_FOUND', u.pathname)), 'application/problem+json');
    this.requests++;
    this.lastAsker = req.headers['x-steward-resolver'] as string | undefined;
    const raw = u.searchParams.get('name') ?? '';
    this.byName.set(raw, (this.byName.get(raw) ?? 0) + 1);
    if (this.mode === 'hang') return; // never answers; the client must time out
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.mode === 'error') return send(503, toProblem(new StewardError('INTERNAL', 'test server told to fail')), 'application/problem+json');
    try {
      const name = normalizeName(raw);
      const answer = this.override?.(name) ?? answerAuthoritatively(this.view(), name);
      send(answer.status === 'NXDOMAIN' ? 404 : 200, answer);
    } catch (err) {
      const p = toProblem(err);
      send(p.status, p, 'application/problem+json');
    }
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** Closes the port (connections refused from now on) and drops open connections. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.server = this.make();
  }

  count(name: string): number {
    return this.byName.get(name) ?? 0;
  }
}

export interface TestZone {
  zone: string;
  view: ZoneView;
  servers: AuthServer[];
  endpoints: RegionEndpoint[];
  agents: string[];
}

export interface Tree {
  zones: Map<string, TestZone>;
  /** Every agent FQID in the tree. */
  agents: string[];
  zone(ns: string): TestZone;
  requests(): number;
  close(): Promise<void>;
}

export const zoneName = (ns: string) => (ns ? `${ns}.${ROOT}` : ROOT);

export function testRecord(label: string, zone: string): AgentRecord {
  const namespace = zone === ROOT ? '' : zone.slice(0, -(ROOT.length + 1));
  return {
    name: label,
    version: '1.0.0',
    description: `test agent ${label}`,
    capabilities: ['testing'],
    endpoints: [{ url: `https://agents.example/${label}`, protocol: 'a2a' }],
    visibility: 'public',
    id: `${label}.${zone}`,
    namespace,
    zone,
    fingerprint: 'dGVzdC1maW5nZXJwcmludC10ZXN0LWZpbmdlcnByaW4',
    digest: `sha256:${'0'.repeat(64)}`,
    jws: 'test.jws.value',
    published_at: '2026-01-01T00:00:00Z',
    trust: 0.5,
    vector_clock: { test: 1 },
  };
}

export async function startTree(spec: ZoneSpec, defaults: Partial<ZoneView['ttl']> = {}): Promise<Tree> {
  const zones = new Map<string, TestZone>();
  const agents: string[] = [];
  const build = async (s: ZoneSpec, parent?: TestZone) => {
    const zone = zoneName(s.ns);
    const ttl = { agent: 300, referral: 3600, negative: 60, ...defaults, ...s.ttl };
    const records = new Map((s.agents ?? []).map((a) => [a, testRecord(a, zone)]));
    const kids = new Map<string, TestZone>();
    const view: ZoneView = {
      zone,
      rootDomain: ROOT,
      parent: parent ? { zone: parent.zone, endpoints: parent.endpoints } : undefined,
      ttl,
      getAgent: (label) => records.get(label),
      getDelegation: (child) => {
        const k = kids.get(child);
        return k ? { zone: k.zone, endpoints: k.endpoints } : undefined;
      },
    };
    const servers = Array.from({ length: s.servers ?? 1 }, () => new AuthServer(zone, () => view));
    for (const srv of servers) await srv.start();
    const tz: TestZone = { zone, view, servers, endpoints: servers.map((x) => ({ url: x.url })), agents: [...records.keys()].map((a) => `${a}.${zone}`) };
    zones.set(zone, tz);
    agents.push(...tz.agents);
    for (const c of s.children ?? []) kids.set(zoneName(c.ns), await build(c, tz));
    return tz;
  };
  await build(spec);
  return {
    zones,
    agents,
    zone(ns) {
      const z = zones.get(zoneName(ns));
      if (!z) throw new Error(`no zone ${ns}`);
      return z;
    },
    requests: () => [...zones.values()].flatMap((z) => z.servers).reduce((n, s) => n + s.requests, 0),
    async close() {
      await Promise.all([...zones.values()].flatMap((z) => z.servers).map((s) => s.stop()));
    },
  };
}

/** The seed's shape: root; com, org, github; two namespaces under com and org each. */
export const SEED_TREE: ZoneSpec = {
  ns: '',
  children: [
    {
      ns: 'com',
      children: [
        { ns: 'vibe-agency.com', agents: ['vibe-agency-orchestrator', 'vibe-agency-coder', 'vibe-agency-deployer'] },
        { ns: 'acme-corp.com', agents: ['acme-planning-bot', 'acme-code-generator', 'acme-sdlc-bot'] },
      ],
    },
    {
      ns: 'org',
      children: [
        { ns: 'openai.org', agents: ['gpt-code-assistant', 'gpt-planner'] },
        { ns: 'anthropic.org', agents: ['claude-architect'] },
      ],
    },
    { ns: 'github', agents: ['community-orchestrator', 'claude-code-agent'] },
  ],
};

export interface NodeOpts {
  redisUrl?: string;
  limits?: Partial<ResolverLimits>;
  upstream?: Partial<UpstreamOptions>;
  metrics?: Metrics;
}

/** A resolver as the node serving `ns` would run it (memory cache, or memory + Redis). */
export function resolverFor(tree: Tree, ns: string, o: NodeOpts = {}): Resolver {
  return createNodeResolver({
    view: tree.zone(ns).view,
    redisUrl: o.redisUrl,
    cacheEntries: 1000,
    allowPrivate: true, // the test tree is on 127.0.0.1
    metrics: o.metrics,
    limits: { minTtl: 0, ...o.limits },
    upstream: { timeoutMs: 1000, ...o.upstream },
  });
}

/** Runs `fn` with a fresh tree, handing it a factory of resolvers; closes all of them after. */
export async function scenario(
  spec: ZoneSpec,
  fn: (t: Tree, node: (ns: string, o?: NodeOpts) => Resolver) => Promise<void>,
  ttl?: Partial<ZoneView['ttl']>,
) {
  const tree = await startTree(spec, ttl);
  const made: Resolver[] = [];
  try {
    await fn(tree, (ns, o) => {
      const r = resolverFor(tree, ns, o);
      made.push(r);
      return r;
    });
  } finally {
    await Promise.all(made.map((r) => r.close()));
    await tree.close();
  }
}

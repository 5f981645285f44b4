// Publish rules, authoritative answers and name handling, against a real node on port 0.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generatePublisherKey, signCompact, type PublisherKey } from '../../src/records/keys.js';
import { http, manifest, ROOT, startTestNode } from '../helpers/node.js';
import { pullSync } from '../helpers/signed.js';

const ZONE = `vibe-agency.com.${ROOT}`;
const t = suite<{ srv: Awaited<ReturnType<typeof startTestNode>>; key: PublisherKey; other: PublisherKey }>('agents over HTTP', {} as any);

t.before(async (ctx) => {
  ctx.srv = await startTestNode({ durable: true, identity: true });
  ctx.key = await generatePublisherKey('ES256');
  ctx.other = await generatePublisherKey('EdDSA');
});
t.after(async (ctx) => ctx.srv.close());

const publish = async (url: string, body: string, type = 'application/jose') =>
  http(`${url}/v1/agents`, { method: 'POST', headers: { 'content-type': type }, body });

function problem(res: { status: number; type: string; body: any }, status: number, code: string) {
  assert.is(res.status, status, JSON.stringify(res.body));
  assert.ok(res.type.startsWith('application/problem+json'), res.type);
  assert.is(res.body.code, code);
  assert.is(res.body.status, status);
  assert.type(res.body.detail, 'string');
  assert.type(res.body.title, 'string');
}

t('good publish → 201 with the record', async ({ srv, key }) => {
  const res = await publish(srv.url, await signCompact(manifest(), key));
  assert.is(res.status, 201, JSON.stringify(res.body));
  const r = res.body;
  assert.is(r.id, `vibe-agency-orchestrator.${ZONE}`);
  assert.is(r.namespace, 'vibe-agency.com');
  assert.is(r.zone, ZONE);
  assert.is(r.fingerprint, key.fingerprint);
  assert.match(r.digest, /^sha256:[0-9a-f]{64}$/);
  assert.ok(r.trust > 0 && r.trust <= 1);
  assert.ok(Object.values(r.vector_clock).every((n) => typeof n === 'number'));
  const got = await http(`${srv.url}/v1/agents/vibe-agency-orchestrator`);
  assert.equal(got.body, r);
});

t('bad signature → 400 BAD_SIGNATURE; nothing stored changes', async ({ srv, key }) => {
  const jws = await signCompact(manifest({ version: '9.0.0' }), key);
  const [h, p, s] = jws.split('.');
  const forged = Buffer.from(JSON.stringify(manifest({ version: '9.9.9' }))).toString('base64url');
  problem(await publish(srv.url, `${h}.${forged}.${s}`), 400, 'BAD_SIGNATURE');
  problem(await publish(srv.url, `${h}.${p}`), 400, 'BAD_JWS');
  problem(await publish(srv.url, 'not a jws at all'), 400, 'BAD_JWS');
  const got = await http(`${srv.url}/v1/agents/vibe-agency-orchestrator`);
  assert.is(got.body.version, '1.2.0');
});

t('schema violation → 400 SCHEMA_VIOLATION naming the field', async ({ srv, key }) => {
  const res = await publish(srv.url, await signCompact(manifest({ name: 'fresh-agent', capabilities: ['Not A Token'] }), key));
  problem(res, 400, 'SCHEMA_VIOLATION');
  assert.match(res.body.detail, /capabilities/);
  problem(await publish(srv.url, await signCompact(manifest({ name: 'fresh-agent', version: 'one' }), key)), 400, 'SCHEMA_VIOLATION');
});

t('version not rising → 409 VERSION_NOT_RISING', async ({ srv, key }) => {
  problem(await publish(srv.url, await signCompact(manifest({ version: '1.2.0' }), key)), 409, 'VERSION_NOT_RISING');
  problem(await publish(srv.url, await signCompact(manifest({ version: '1.1.9' }), key)), 409, 'VERSION_NOT_RISING');
  const ok = await publish(srv.url, await signCompact(manifest({ version: '1.3.0' }), key));
  assert.is(ok.status, 201);
});

t('other key → 409 KEY_MISMATCH', async ({ srv, other }) => {
  problem(await publish(srv.url, await signCompact(manifest({ version: '2.0.0' }), other)), 409, 'KEY_MISMATCH');
});

t('confusable name → 422 CONFUSABLE_NAME naming the existing agent', async ({ srv, other }) => {
  const res = await publish(srv.url, await signCompact(manifest({ name: 'vibe-agency-0rchestrator' }), other));
  problem(res, 422, 'CONFUSABLE_NAME');
  assert.ok(res.body.detail.includes(`vibe-agency-orchestrator.${ZONE}`), res.body.detail);
});

t('a label delegated to a child zone cannot be an agent → 409', async ({ srv, key }) => {
  problem(await publish(srv.url, await signCompact(manifest({ name: 'team' }), key)), 409, 'NAME_CONFLICT');
});

t('internal visibility: answered here, hidden from other resolvers and from sync', async ({ srv, key }) => {
  const res = await publish(srv.url, await signCompact(manifest({ name: 'vibe-agency-deployer', visibility: 'internal', capabilities: ['deployment'] }), key));
  assert.is(res.status, 201);
  const direct = await http(`${srv.url}/v1/resolve?name=vibe-agency-deployer&rd=0`);
  assert.is(direct.body.status, 'NOERROR');
  const fromResolver = await http(`${srv.url}/v1/resolve?name=vibe-agency-deployer&rd=0`, { headers: { 'x-steward-resolver': 'com.steward-registry.org' } });
  assert.is(fromResolver.status, 404);
  const sync = await pullSync(`${srv.url}/v1/sync?since=0`);
  assert.ok(sync.body.entries.every((e: any) => e.record.name !== 'vibe-agency-deployer'));
  assert.ok(sync.body.entries.some((e: any) => e.record.name === 'vibe-agency-orchestrator'));
});

t('NXDOMAIN with a negative TTL; referral below a delegation; referral up for other zones', async ({ srv }) => {
  const nx = await http(`${srv.url}/v1/resolve?name=nobody&rd=0`);
  assert.is(nx.status, 404);
  assert.is(nx.body.status, 'NXDOMAIN');
  assert.is(nx.body.zone, ZONE);
  assert.is(nx.body.ttl, 60);
  const down = await http(`${srv.url}/v1/resolve?name=bot.team.vibe-agency.com&rd=0`);
  assert.is(down.status, 200);
  assert.is(down.body.status, 'REFERRAL');
  assert.is(down.body.referral.zone, `team.${ZONE}`);
  assert.ok(down.body.referral.ttl > 0);
  assert.is(down.body.referral.endpoints[0].url, 'http://127.0.0.1:9');
  const up = await http(`${srv.url}/v1/resolve?name=gpt-planner.openai.org&rd=0`);
  assert.is(up.body.status, 'REFERRAL');
  assert.is(up.body.referral.zone, ROOT);
});

t('case and trailing dot are folded; bad names are a clear 400', async ({ srv }) => {
  for (const name of ['VIBE-AGENCY-ORCHESTRATOR', `Vibe-Agency-Orchestrator.Vibe-Agency.COM.${ROOT}.`, 'vibe-agency-orchestrator.vibe-agency.com']) {
    const res = await http(`${srv.url}/v1/resolve?name=${encodeURIComponent(name)}&rd=0`);
    assert.is(res.body.status, 'NOERROR', name);
    assert.is(res.body.name, `vibe-agency-orchestrator.${ZONE}`);
  }
  const bad = await http(`${srv.url}/v1/resolve?name=-bad-&rd=0`);
  problem(bad, 400, 'BAD_NAME');
  assert.match(bad.body.detail, /hyphen/);
  problem(await http(`${srv.url}/v1/agents/a_b`), 400, 'BAD_NAME');
  problem(await http(`${srv.url}/v1/resolve?rd=0`), 400, 'BAD_REQUEST');
});

t('bodies over 64 KiB → 413', async ({ srv }) => {
  problem(await publish(srv.url, 'a'.repeat(64 * 1024 + 1)), 413, 'PAYLOAD_TOO_LARGE');
  // Without a content-length (chunked), too.
  const chunks = new ReadableStream({
    start(c) {
      for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(8192)));
      c.close();
    },
  });
  problem(await http(`${srv.url}/v1/agents`, { method: 'POST', body: chunks, duplex: 'half', headers: { 'content-type': 'application/jose' } } as RequestInit), 413, 'PAYLOAD_TOO_LARGE');
});

t('unpublish by a signed tombstone; other key refused; then NXDOMAIN', async ({ srv, key, other }) => {
  const del = (jws: string) => http(`${srv.url}/v1/agents/vibe-agency-orchestrator`, { method: 'DELETE', headers: { 'content-type': 'application/jose' }, body: jws });
  const tomb = { name: 'vibe-agency-orchestrator', namespace: 'vibe-agency.com', deleted: true, version: '1.3.0' };
  problem(await del(await signCompact(tomb, other)), 409, 'KEY_MISMATCH');
  const ok = await del(await signCompact(tomb, key));
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  const nx = await http(`${srv.url}/v1/resolve?name=vibe-agency-orchestrator&rd=0`);
  assert.is(nx.body.status, 'NXDOMAIN');
  problem(await http(`${srv.url}/v1/agents/vibe-agency-orchestrator`), 404, 'NOT_FOUND');
});

t('an unpublished name stays with its key: another key is refused, its versions are not reused', async ({ srv, key, other }) => {
  const taken = await publish(srv.url, await signCompact(manifest({ version: '9.0.0' }), other));
  problem(taken, 409, 'KEY_MISMATCH');
  assert.match(taken.body.detail, /was unpublished by key/);
  assert.is(taken.body.published_fingerprint, key.fingerprint);
  const reused = await publish(srv.url, await signCompact(manifest({ version: '1.3.0' }), key));
  problem(reused, 409, 'VERSION_NOT_RISING');
  assert.match(reused.body.detail, /1\.3\.0 when it was unpublished/);
  const back = await publish(srv.url, await signCompact(manifest({ version: '1.4.0' }), key));
  assert.is(back.status, 201, JSON.stringify(back.body));
  assert.is((await http(`${srv.url}/v1/resolve?name=vibe-agency-orchestrator&rd=0`)).body.answer.version, '1.4.0');
});

t('durable: a restarted node still has what it acknowledged', async ({ srv }) => {
  const before = await pullSync(`${srv.url}/v1/sync?since=0`);
  const { startNode } = await import('../../src/node/index.js');
  const port = srv.node.port;
  await srv.node.close();
  srv.node = await startNode({ config: srv.node.ctx.config, port, dataDir: srv.dir, identity: srv.identity });
  const after = await pullSync(`${srv.url}/v1/sync?since=0`);
  assert.equal(after.body, before.body);
  assert.is((await http(`${srv.url}/healthz`)).body.serial, before.body.serial);
});

t.run();

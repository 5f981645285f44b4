// The image without a Docker engine: what its Dockerfile promises (two stages, a
// production install with dist/ only, a non-root user owning /data), its HEALTHCHECK and
// ENTRYPOINT run as written against real nodes, the seed's `docker run … --namespace …
// --parent …` accepted by that entry point, hadolint when installed, and compose.yml
// valid under the compose-spec JSON schema when the schema is at hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { startNode } from '../../src/node/index.js';
import { testZone } from '../helpers/node.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DOCKERFILE = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
// (continuation lines joined, comments dropped: one instruction a line)
const lines = DOCKERFILE.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages = lines.join('\n').split(/^(?=FROM )/m);
const runtime = stages.at(-1)!;
const jsonArg = (instruction: string, text = runtime) => {
  const m = new RegExp(`^${instruction} (\\[.*\\])$`, 'm').exec(text);
  assert.ok(m, `${instruction} in exec (JSON) form`);
  return JSON.parse(m![1]!) as string[];
};

function runNode(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH!, LOG_LEVEL: 'warn', STEWARD_FROM_SOURCE: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => (clearTimeout(t), resolve({ code, out })));
  });
}

test('multi-stage: build with dev dependencies, run with the production install and dist/ only', () => {
  assert.is(stages.length, 2, 'a build stage and a runtime stage');
  assert.match(stages[0]!, /^FROM node:20-\S+ AS build$/m);
  assert.match(stages[0]!, /^RUN npm ci\b(?!.*--omit=dev)/m);
  assert.match(stages[0]!, /^RUN npm run build$/m);
  assert.match(runtime, /^FROM node:20-bookworm-slim$/m);
  assert.match(runtime, /^RUN npm ci --omit=dev\b/m);
  assert.match(runtime, /^COPY --from=build \/app\/dist \.\/dist$/m);
  assert.not.match(runtime, /^COPY (\.\/)?src\b/m, 'no TypeScript sources in the runtime image');
  assert.not.match(runtime, /tsx/);
});

test('a non-root user owns /data, the volume', () => {
  assert.match(runtime, /^RUN .*chown node:node \/data/m);
  assert.match(runtime, /^VOLUME \/data$/m);
  const user = /^USER (\S+)$/m.exec(runtime);
  assert.ok(user && user[1] !== 'root' && user[1] !== '0', 'runs as a non-root user');
  assert.ok(runtime.indexOf('USER ') > runtime.indexOf('chown'), 'USER after the chown');
  assert.match(runtime, /STEWARD_DATA_DIR=\/data\b/);
  assert.match(runtime, /STEWARD_CERTS_DIR=\/data\//, 'demo certificates are made under /data, writable');
});

test('HEALTHCHECK uses node (no curl in slim): healthy against a node, unhealthy without one', async () => {
  const cmd = jsonArg('HEALTHCHECK .*CMD');
  assert.is(cmd[0], 'node');
  const port = /^ENV .*HEALTHCHECK_PORT=(\d+)/m.exec(runtime);
  assert.ok(port, 'a default HEALTHCHECK_PORT');
  const node = await startNode({ config: testZone(), port: 0 });
  try {
    const ok = await runNode(cmd.slice(1), { HEALTHCHECK_PORT: String(node.port) });
    assert.is(ok.code, 0, ok.out);
  } finally {
    await node.close();
  }
  const down = await runNode(cmd.slice(1), { HEALTHCHECK_PORT: String(node.port) });
  assert.is(down.code, 1);
});

test("the entry point is serve, so the seed's `docker run steward-registry --namespace … --parent …` works as written", async () => {
  const entry = jsonArg('ENTRYPOINT');
  assert.equal(entry.slice(0, 3), ['node', 'bin/steward-registry.js', 'serve']);
  const data = mkdtempSync(join(tmpdir(), 'steward-docker-'));
  try {
    // The seed's flags after the entry point; the parent is a closed port here, so the
    // first start gets as far as registering and reports the parent unreachable —
    // not a usage error (exit 2) about the flags.
    // (--alg p256: an RSA-4096 key on a loaded machine can take longer than the test)
    const r = await runNode([...entry.slice(1), '--namespace', 'acme-corp.com', '--parent', 'http://127.0.0.1:9', '--port', '0', '--alg', 'p256'], { STEWARD_DATA_DIR: data }, 150_000);
    assert.is.not(r.code, 2, r.out);
    assert.is.not(r.code, 0, r.out);
    assert.not.match(r.out, /usage|unknown option/i);
    assert.match(r.out, /127\.0\.0\.1:9/);
    // and the default CMD is a serve command line too
    const cmd = jsonArg('CMD');
    const help = await runNode([...entry.slice(1), ...cmd, '--help']);
    assert.is(help.code, 0, help.out);
    assert.match(help.out, /usage: steward-registry serve/);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
});

test('hadolint passes on the Dockerfile (when installed)', () => {
  const r = spawnSync('hadolint', ['docker/Dockerfile'], { cwd: ROOT, encoding: 'utf8' });
  if (r.error) {
    console.log('  (skipped: hadolint is not installed; Debian has no hadolint package)');
    return;
  }
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test('compose.yml: the demo federation with Redis, valid under the compose-spec schema', () => {
  const compose = parseYaml(readFileSync(join(ROOT, 'docker/compose.yml'), 'utf8')) as Record<string, any>;
  assert.ok(compose.services.redis, 'a redis service');
  const fed = compose.services.federation;
  assert.equal(fed.command.slice(0, 2), ['federation', 'up']);
  assert.match(fed.environment.REDIS_URL, /^redis:\/\//);
  assert.is(fed.depends_on.redis.condition, 'service_healthy');
  // The schema (compose-spec/compose-spec, schema/compose-spec.json) is not vendored:
  // COMPOSE_SPEC_SCHEMA names a copy, else .scratch/compose-spec.json in the checkout.
  const schemaPath = process.env.COMPOSE_SPEC_SCHEMA || join(ROOT, '.scratch/compose-spec.json');
  if (!existsSync(schemaPath)) {
    console.log(`  (schema check skipped: no compose-spec schema at ${schemaPath}; set COMPOSE_SPEC_SCHEMA)`);
    return;
  }
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  delete schema.$schema; // draft-07, Ajv's default
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
  // and the schema does catch a mistake
  assert.not.ok(validate({ ...compose, services: { ...compose.services, federation: { ...fed, restart_policy: 'always' } } }));
});

test.run();

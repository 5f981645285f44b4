// Signed-request throughput on one core (SPEC §5, issue 8): the verifier's own work —
// header parse, Content-Digest, signature base, one signature verify, nonce claim — with
// a warm chain cache in front of the chain check (a map keyed by the chain's SHA-256, as
// a real cache would be), for P-256 and RSA-4096 leaves; and signer operations per second.
// Certificates come from the openssl CLI. Prints one JSON object.
// Usage: npx tsx scripts/bench-identity/httpsig.ts [--seconds S]
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPrivateKey, randomBytes, sign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner, createVerifier, keyIdOf, MemoryNonceStore, type ChainCheck, type ChainVerdict } from '../../src/pki/httpsig/index.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3;
const NEWKEY = { p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], rsa4096: ['-newkey', 'rsa:4096'] } as const;
const EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n';

function identity(kind: keyof typeof NEWKEY) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-httpsig-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  try {
    writeFileSync(join(dir, 'ext.cnf'), `${EXT}subjectAltName=DNS:acme-corp.com.steward-registry.org\n`);
    run(['req', '-x509', '-new', ...NEWKEY.p256, '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '30', '-subj', '/CN=steward-registry.org',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
    run(['req', '-new', ...NEWKEY[kind], '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=acme-corp.com.steward-registry.org']);
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', `0x4${randomBytes(8).toString('hex')}`, '-days', '30', '-extfile', 'ext.cnf', '-out', 'leaf.pem']);
    const root = new X509Certificate(readFileSync(join(dir, 'root.pem')));
    const leaf = new X509Certificate(readFileSync(join(dir, 'leaf.pem')));
    return { privateKey: createPrivateKey(readFileSync(join(dir, 'leaf.key'))), chain: [leaf.raw, root.raw], root };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The warm path of a chain cache: hash the chain, look the verdict up. */
function warmChainCache(root: X509Certificate): ChainCheck {
  const cache = new Map<string, ChainVerdict>();
  return async (ders) => {
    const h = createHash('sha256');
    for (const d of ders) h.update(d);
    const k = h.digest('hex');
    let v = cache.get(k);
    if (!v) {
      const leaf = new X509Certificate(ders[0]!);
      v = leaf.verify(root.publicKey)
        ? { ok: true, leafPublicKey: leaf.publicKey, zone: 'acme-corp.com.steward-registry.org', certFingerprint: keyIdOf(ders[0]!) }
        : { ok: false, reason: 'not ours' };
      cache.set(k, v);
    }
    return v;
  };
}

async function bench(kind: keyof typeof NEWKEY) {
  const id = identity(kind);
  const signer = createSigner({ privateKey: id.privateKey, chain: id.chain });
  const url = 'http://127.0.0.1:7310/v1/push';
  const body = Buffer.from(JSON.stringify({ changes: [{ name: 'agent.acme-corp.com.steward-registry.org', version: '1.2.0', fingerprint: 'x'.repeat(64) }] }));

  // Signer: as many as fit in the time; they are also the requests the verifier checks.
  const signed: Record<string, string>[] = [];
  let t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) signed.push(signer.sign({ method: 'POST', url, body }) as unknown as Record<string, string>);
  const signPerS = signed.length / ((performance.now() - t0) / 1000);

  const verify = createVerifier({ verifyChain: warmChainCache(id.root), nonces: new MemoryNonceStore() });
  const view = (h: Record<string, string>) => {
    const lower = new Map(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: 'POST', targetUri: url, header: (n: string) => lower.get(n), body };
  };
  await verify(view(signer.sign({ method: 'POST', url, body }) as unknown as Record<string, string>)); // warm the chain cache
  // The bare crypto.verify of one such signature, same key: the ceiling this (shared)
  // machine allows right now. Pipeline and bare run in alternating 200 ms slices, so load
  // from other processes falls on both alike and the pipeline's overhead stays visible.
  const leafKey = new X509Certificate(id.chain[0]!).publicKey;
  const ec = signer.alg === 'ecdsa-p256-sha256';
  const hash = ec ? 'sha256' : 'sha512';
  const pad = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 };
  const data = Buffer.alloc(400, 1);
  const sig = sign(hash, data, ec ? { key: id.privateKey, dsaEncoding: 'ieee-p1363' } : { key: id.privateKey, ...pad });
  const opts = ec ? { key: leafKey, dsaEncoding: 'ieee-p1363' as const } : { key: leafKey, ...pad };

  const views = signed.map(view); // each has a fresh nonce: verified once each
  // CPU time (process.cpuUsage) as well as wall time: on a machine shared with other work
  // the wall-clock rate says more about the neighbours than about one core's capacity.
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  let ok = 0;
  let okMs = 0;
  let okCpu = 0;
  let raw = 0;
  let rawMs = 0;
  let rawCpu = 0;
  while (ok < views.length && okMs < seconds * 1000) {
    let t = performance.now();
    let c = process.cpuUsage();
    while (ok < views.length && performance.now() - t < 200) await verify(views[ok++]!);
    okMs += performance.now() - t;
    okCpu += cpuMs(process.cpuUsage(c));
    t = performance.now();
    c = process.cpuUsage();
    while (performance.now() - t < 200) {
      cryptoVerify(hash, data, opts, sig);
      raw++;
    }
    rawMs += performance.now() - t;
    rawCpu += cpuMs(process.cpuUsage(c));
  }
  const verifyPerS = ok / (okMs / 1000);
  const rawPerS = raw / (rawMs / 1000);
  const verifyPerCpuS = ok / (okCpu / 1000);
  const rawPerCpuS = raw / (rawCpu / 1000);
  return {
    verifications_per_cpu_s: Math.round(verifyPerCpuS),
    verifications_per_s_wall: Math.round(verifyPerS),
    bare_crypto_verify_per_cpu_s: Math.round(rawPerCpuS),
    bare_crypto_verify_per_s_wall: Math.round(rawPerS),
    pipeline_share_of_bare_cpu: Number((verifyPerCpuS / rawPerCpuS).toFixed(2)),
    signer_ops_per_s: Math.round(signPerS),
    requests_verified: ok,
  };
}

const out = {
  what: 'signed-request verifications/s on one core, warm chain cache (parse + digest + base + verify + nonce), and signer ops/s',
  node: process.version,
  cpu: cpus()[0]?.model,
  seconds_per_measure: seconds,
  load_average_1m: Number(loadavg()[0]!.toFixed(1)),
  p256: await bench('p256'),
  rsa4096: await bench('rsa4096'),
};
console.log(JSON.stringify(out, null, 2));

// Child process for demo.test.ts: one "node" starting up. argv: dir zone alg
import { ensureDemoPki } from '../../src/pki/demo.js';
import { fingerprint } from '../../src/pki/keys.js';
import { toDer } from '../../src/pki/parse.js';

const [dir, zone, alg] = process.argv.slice(2);
const m = await ensureDemoPki(zone!, { dir: dir!, rootDomain: 'steward-registry.org', alg: alg as 'p256' });
console.log(JSON.stringify({ zone: m.zone, cert: fingerprint(toDer(m.certificatePem)), root: fingerprint(toDer(m.rootPem)), chain: m.chainPems.map((p) => fingerprint(toDer(p))) }));

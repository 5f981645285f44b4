// Shared by the quota tests: publishing over real HTTP, a few at a time, and tallying answers.
import { request } from 'node:http';
import { signCompact, type PublisherKey } from '../../src/records/keys.js';
import { manifest } from '../helpers/node.js';

export interface Answer {
  status: number;
  code?: string;
  detail?: string;
  retryAfter: string | null;
}

export async function publish(url: string, key: PublisherKey, name: string, version = '1.0.0', localAddress?: string): Promise<Answer> {
  const body = await signCompact(manifest({ name, version }), key);
  return send(url, 'POST', '/v1/agents', body, localAddress);
}

export async function get(url: string, path: string, localAddress?: string): Promise<Answer> {
  return send(url, 'GET', path, undefined, localAddress);
}

/** One request on a fresh connection (optionally from another loopback address). */
function send(url: string, method: string, path: string, body?: string, localAddress?: string): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method, path, localAddress, agent: false, timeout: 10_000, headers: body ? { 'content-type': 'application/jose' } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let parsed: { code?: string; detail?: string } = {};
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          const retryAfter = res.headers['retry-after'] ?? null;
          resolve({ status: res.statusCode!, code: parsed.code, detail: parsed.detail, retryAfter: Array.isArray(retryAfter) ? retryAfter[0]! : retryAfter });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The i-th of a series of names no two of which are confusable (letters without i, l, o). */
export function distinctName(prefix: string, i: number): string {
  const abc = 'abcdefghjkmnpqrstuvwxyz';
  let x = (i + 1) * 2_654_435_761;
  let out = '';
  for (let k = 0; k < 10; k++) {
    out += abc[x % abc.length];
    x = Math.floor(x / abc.length) + (k + 7) * 40_503 * (i + 3);
  }
  return `${prefix}-${out}`;
}

/** Runs the jobs `width` at a time, answers in job order. */
export async function pooled<T>(jobs: (() => Promise<T>)[], width = 16): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

export function tally(answers: Answer[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const a of answers) {
    const k = a.code ? `${a.status} ${a.code}` : String(a.status);
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}

// A raw HTTP/1.1 request for tests that compare the node's fast paths with hono.
import { request } from 'node:http';

export interface Raw { status: number; type: string; body: string }

/** A raw HTTP/1.1 request: any method, target and Host, exactly as given. */
export function raw(url: string, target: string, o: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: o.method ?? 'GET', path: target, headers: o.headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${target}`)));
    req.on('error', reject);
    req.end();
  });
}

// Test fixture: a hostile registry as a small node:http server on 127.0.0.1:0. `answer`
// decides, per question, what body to send (a JSON value, or raw chunks for padded or
// huge bodies); requests are counted by path so a test can see what the resolver asked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { status?: number; json?: unknown; chunks?: (string | Buffer)[] };

export class HostileServer {
  url = '';
  readonly paths: string[] = [];
  private readonly server: Server;

  constructor(public answer: (name: string, path: string) => Reply) {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      this.paths.push(u.pathname);
      const r = this.answer(u.searchParams.get('name') ?? '', u.pathname);
      res.on('error', () => {});
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
      if (r.chunks) {
        const write = (i: number): void => {
          if (i >= r.chunks!.length || res.destroyed) return void res.end();
          if (res.write(r.chunks![i]!)) write(i + 1);
          else res.once('drain', () => write(i + 1));
        };
        write(0);
      } else res.end(JSON.stringify(r.json));
    });
    this.server.on('clientError', () => {});
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

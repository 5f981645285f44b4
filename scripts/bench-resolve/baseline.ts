// The yardstick: a bare node:http server that answers every request with the exact bytes
// our node sent for the same query (status, content-type, body), with the same keep-alive
// settings, in the same process as the federation. What it cannot do faster is the floor
// set by Node's HTTP stack on this machine.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

export async function startBaseline(body: Buffer, o: { status: number; contentType: string; keepAliveTimeout: number }): Promise<Baseline> {
  const headers = { 'Content-Type': o.contentType, 'Content-Length': body.length };
  const server: Server = createServer((_req, res) => {
    res.writeHead(o.status, headers);
    res.end(body);
  });
  server.keepAliveTimeout = o.keepAliveTimeout;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

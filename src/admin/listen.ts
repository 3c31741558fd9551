/** Serves the admin app on `host:port` (admin.listen); resolves once it listens. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';

export interface AdminListener {
  /** host:port actually bound (port 0 picks a free one). */
  where: string;
  port: number;
  close(): Promise<void>;
}

function parseListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(at + 1));
  if (!(at > 0) || !Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`admin.listen: "${listen}" is not host:port`);
  return { host, port };
}

export async function listenAdmin(app: express.Express, listen: string): Promise<AdminListener> {
  const { host, port } = parseListen(listen);
  const server = createServer(app);
  // Probes and scrapes come every few seconds on few connections; nothing here is worth a long keep-alive.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    where: `${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

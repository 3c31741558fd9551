/**
 * A TCP relay on loopback that a test can cut: every open connection is reset and new ones are refused
 * until it is restored on the same port. Put between the gateway and PostgreSQL, it makes the database
 * "briefly unreachable" without touching the server other tests share.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** The local ports of the relay's connections to the target (what the target sees as client ports). */
  upstreamPorts(): number[];
  /** Resets every connection and stops listening: connects are refused. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Holds everything the first connection sends for this long after its first byte (a request that arrives late). */
  holdFirstConnectionMs?: number;
}

/** Passes what `client` sends on to `upstream`, the first bytes and all after them held back `holdMs`. */
function relayHeld(client: Socket, upstream: Socket, holdMs: number): void {
  const held: Buffer[] = [];
  let holding = true;
  client.on('data', (chunk: Buffer) => {
    if (!holding) return void upstream.write(chunk);
    if (held.length === 0) {
      setTimeout(() => {
        holding = false;
        for (const c of held.splice(0)) upstream.write(c);
      }, holdMs);
    }
    held.push(chunk);
  });
  client.on('end', () => upstream.end());
}

export async function startTcpProxy(target: { host: string; port: number }, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const makeServer = (): Server =>
    createServer((client) => {
      track(client);
      const upstream = connect(target.port, target.host);
      track(upstream);
      upstreams.add(upstream);
      upstream.on('close', () => upstreams.delete(upstream));
      const hold = connections === 0 ? options.holdFirstConnectionMs : undefined;
      connections += 1;
      upstream.pipe(client);
      if (hold === undefined) client.pipe(upstream);
      else relayHeld(client, upstream, hold);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => done((server.address() as { port: number }).port));
    });

  let server: Server | undefined = makeServer();
  const port = await listen(server, 0);
  const stop = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.resetAndDestroy();
    if (s) await new Promise<void>((done) => s.close(() => done()));
  };
  return {
    port,
    upstreamPorts: () => [...upstreams].map((s) => s.localPort).filter((p): p is number => p !== undefined),
    cut: stop,
    async restore() {
      if (server) return;
      server = makeServer();
      await listen(server, port);
    },
    close: stop,
  };
}

/**
 * The HTTP server's connections: how many may be open at once, and how they end when the gateway stops.
 *
 * Stopping (SIGTERM) takes no new request from that moment: the listening socket closes, idle keep-alive
 * connections are closed, every response still in flight carries `Connection: close` so its connection ends
 * with it, and a request that slips in anyway (pipelined behind one in flight) is answered 503 with
 * Retry-After. Requests in flight finish; whatever is still open when the grace period ends is closed.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HttpLimitsConfig } from '../auth/config-schema.js';
import { serviceUnavailable } from '../scim/errors.js';
import { SCIM_CONTENT_TYPE } from './respond.js';

export interface ConnectionLimits {
  /** Open connections at most; more are closed as they arrive (server.maxConnections). */
  maxConnections: number;
}

interface Lifecycle {
  draining: boolean;
  inFlight: Set<ServerResponse>;
}

const lifecycles = new WeakMap<Server, Lifecycle>();

/** How often a refused connection is logged at most. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * The gateway's HTTP server with node's own limits (header size → 431, header and request timeouts → 408,
 * keep-alive), shared by `npm start` and the tests so both run what users run.
 */
export function createHttpServer(handler: RequestListener, limits: HttpLimitsConfig, connections: ConnectionLimits, log?: Logger): Server {
  if (!Number.isInteger(connections.maxConnections) || connections.maxConnections < 1) {
    throw new TypeError('maxConnections must be a positive integer');
  }
  const lifecycle: Lifecycle = { draining: false, inFlight: new Set() };
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutSeconds * 1000,
      requestTimeout: limits.requestTimeoutSeconds * 1000,
      // How often node looks for connections past those timeouts (default 30 s, longer than the limits).
      connectionsCheckingInterval: Math.min(5000, (limits.headersTimeoutSeconds * 1000) / 2),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      if (lifecycle.draining) {
        const refusal = serviceUnavailable('The gateway is stopping; retry', 1);
        res.writeHead(refusal.status, { ...refusal.headers, 'Content-Type': SCIM_CONTENT_TYPE, Connection: 'close' });
        res.end(JSON.stringify(refusal.toJSON()));
        return;
      }
      lifecycle.inFlight.add(res);
      res.once('close', () => lifecycle.inFlight.delete(res));
      handler(req, res);
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutSeconds * 1000;
  // Node closes connections past the cap as they arrive, before any byte is read.
  server.maxConnections = connections.maxConnections;
  let dropped = 0;
  let lastLogged = 0;
  server.on('drop', () => {
    dropped += 1;
    const now = Date.now();
    if (now - lastLogged < DROP_LOG_INTERVAL_MS) return;
    log?.warn({ dropped, maxConnections: connections.maxConnections }, 'connections refused: server.maxConnections reached');
    lastLogged = now;
    dropped = 0;
  });
  lifecycles.set(server, lifecycle);
  return server;
}

/**
 * Stops taking requests at once and lets those in flight finish, up to `graceMs`; then closes what is
 * left. Resolves when every connection is gone.
 */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  const lifecycle = lifecycles.get(server);
  return new Promise((resolve) => {
    if (lifecycle) {
      lifecycle.draining = true;
      // Headers not sent yet: the connection ends with this response instead of waiting for another.
      for (const res of lifecycle.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Abuse limits at the HTTP layer: the server's own limits (header size → 431, header and request
 * timeouts → 408, keep-alive), shared by `npm start` and the tests so both run what users run; the
 * per-app inbound rate limit (429 with Retry-After).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { HttpLimitsConfig } from '../auth/config-schema.js';
import type { InboundRate } from '../budgets/index.js';
import { tooManyRequests } from '../scim/errors.js';

export function createHttpServer(handler: RequestListener, limits: HttpLimitsConfig): Server {
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutSeconds * 1000,
      requestTimeout: limits.requestTimeoutSeconds * 1000,
      // How often node looks for connections past those timeouts (default 30 s, longer than the limits).
      connectionsCheckingInterval: Math.min(5000, (limits.headersTimeoutSeconds * 1000) / 2),
    },
    handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutSeconds * 1000;
  return server;
}

/** After authentication: one token from the app's bucket (possibly shared by every replica), or 429. */
export function limitAppRate(limiter: InboundRate) {
  return async function appRateLimit(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const app = req.appName;
    if (app === undefined) throw new Error('limitAppRate must run after authentication');
    const wait = await limiter.take(app);
    next(wait > 0 ? tooManyRequests('Too many requests', wait) : undefined);
  };
}

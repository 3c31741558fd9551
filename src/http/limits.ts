/**
 * Abuse limits at the HTTP layer: the server's own limits (header size → 431, header and request
 * timeouts → 408, keep-alive), shared by `npm start` and the tests so both run what users run; the
 * per-app inbound rate limit (429 with Retry-After); the nesting depth of request bodies.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { HttpLimitsConfig } from '../auth/config-schema.js';
import type { AppRateLimiter } from '../auth/rate-limiter.js';
import { invalidSyntax, tooManyRequests } from '../scim/errors.js';
import { nestingDepthExceeds } from '../scim/json-depth.js';

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

/**
 * After the body is parsed, before anything else reads it: a body nested deeper than `maxDepth` levels is
 * 400 invalidSyntax (JSON.parse copes with any depth; the dialect and other recursive code would not).
 */
export function limitJsonDepth(maxDepth: number) {
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new TypeError('limitJsonDepth needs a positive integer');
  return function jsonDepthLimit(req: Request, _res: Response, next: NextFunction): void {
    next(nestingDepthExceeds(req.body, maxDepth) ? invalidSyntax(`The request body is nested deeper than ${maxDepth} levels`) : undefined);
  };
}

/** After authentication: one token from the app's bucket, or 429. */
export function limitAppRate(limiter: AppRateLimiter) {
  return function appRateLimit(req: Request, _res: Response, next: NextFunction): void {
    const app = req.appName;
    if (app === undefined) throw new Error('limitAppRate must run after authentication');
    const wait = limiter.take(app);
    next(wait > 0 ? tooManyRequests('Too many requests', wait) : undefined);
  };
}

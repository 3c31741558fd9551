/**
 * Abuse limits at the HTTP layer, in front of the SCIM routes: the per-app inbound rate limit (429 with
 * Retry-After) and the nesting depth of request bodies. The server's own limits (sizes, timeouts,
 * connections) are set where it is made, in connections.ts.
 */
import type { NextFunction, Request, Response } from 'express';
import type { InboundRate } from '../budgets/index.js';
import { invalidSyntax, tooManyRequests } from '../scim/errors.js';
import { nestingDepthExceeds } from '../scim/json-depth.js';

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

/** After authentication: one token from the app's bucket (possibly shared by every replica), or 429. */
export function limitAppRate(limiter: InboundRate) {
  return async function appRateLimit(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const app = req.appName;
    if (app === undefined) throw new Error('limitAppRate must run after authentication');
    const wait = await limiter.take(app);
    next(wait > 0 ? tooManyRequests('Too many requests', wait) : undefined);
  };
}

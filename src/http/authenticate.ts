/**
 * Finds the app a request addresses and authenticates the caller for that app. An unknown app and a
 * bad credential get the same 401, so callers cannot learn which apps exist; the log says why.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { matchesSecret } from '../auth/secrets.js';
import { unauthorized } from '../scim/errors.js';

export interface AuthenticatedApp {
  name: string;
  secretDigests: readonly Buffer[];
}

/** RFC 6750 §2.1: `Bearer` (any case), one space, a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Longer Authorization values are refused before any hashing. */
const MAX_AUTHORIZATION_LENGTH = 8192;

export function authenticateApp<T extends AuthenticatedApp>(apps: ReadonlyMap<string, T>, log: Logger) {
  if (apps.size === 0) throw new Error('authenticateApp needs at least one app');
  return function authenticate(req: Request, res: Response, next: NextFunction): void {
    const name = req.params.app;
    const app = typeof name === 'string' ? apps.get(name) : undefined;
    const header = req.get('authorization');
    let reason: string | undefined;
    if (!app) reason = 'unknown app';
    else if (header === undefined) reason = 'no Authorization header';
    else if (header.length > MAX_AUTHORIZATION_LENGTH) reason = 'Authorization header too long';
    else {
      const match = BEARER.exec(header);
      if (!match) reason = 'Authorization is not a Bearer credential';
      else if (!matchesSecret(match[1]!, app.secretDigests)) reason = 'bearer secret does not match';
    }
    if (reason !== undefined) {
      // The app name is logged only as the caller wrote it, and only when it exists.
      log.warn({ reqId: req.id, app: app?.name, ip: req.ip, reason }, 'authentication failed');
      next(unauthorized());
      return;
    }
    req.appName = app!.name;
    res.locals.app = app;
    next();
  };
}

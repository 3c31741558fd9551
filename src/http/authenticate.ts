/**
 * Finds the app a request addresses and authenticates the caller for that app, with the app's current
 * credentials (bearer secrets and/or Entra JWTs). An unknown app and a bad credential get the same 401
 * (RFC 6750 challenge, SCIM error body, nothing about why); the log says why, never with the token.
 *
 * The credential is checked first and the failed-login throttle judges only failures: a valid credential
 * is never refused because another client at the same address (a stale one after a rotation, anything
 * behind a proxy without `trustProxy`) used up the address's failures. Failures are counted per address;
 * one past the limit gets 429 instead of 401. What keeps a brute force cheap: the checks themselves are
 * cheap (a constant-time digest compare; a JWT from the cache, or one RS256 verification with keys
 * refetched at most every cooldown), except scrypt for secrets stored as hashes — a candidate that
 * already failed is not hashed again, and an address the throttle refuses gets one new hash per second
 * (hash-allowance.ts). The trade-off: a valid hashed secret from a refused address can see 429 while a
 * brute force from that same address takes each second's hash first.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { InboundSecurity } from '../auth/inbound.js';
import type { Verdict } from '../auth/verdict.js';
import { serviceUnavailable, tooManyRequests, unauthorized } from '../scim/errors.js';

export interface AuthenticatedApp {
  name: string;
}

/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Longer Authorization values are refused before any hashing. */
const MAX_AUTHORIZATION_LENGTH = 8192;

type Presented = { token: string } | { reason: string; tokenPresented: boolean };

function presentedToken(header: string | undefined): Presented {
  if (header === undefined) return { reason: 'no Authorization header', tokenPresented: false };
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { reason: 'Authorization header too long', tokenPresented: true };
  const match = BEARER.exec(header);
  if (match) return { token: match[1]! };
  const bearerish = /^bearer\s/i.test(header) && header.trim().length > 'bearer'.length;
  return { reason: bearerish ? 'malformed Bearer token' : 'Authorization is not a Bearer credential', tokenPresented: bearerish };
}

/** Told of each refused authentication (metrics): the app when it exists, the log's reason, and whether it was throttled or our outage. */
export type AuthFailureObserver = (app: string | undefined, reason: string, kind?: 'throttled' | 'unavailable') => void;

export function authenticateApp(apps: ReadonlyMap<string, AuthenticatedApp>, security: InboundSecurity, log: Logger, observe?: AuthFailureObserver) {
  if (apps.size === 0) throw new Error('authenticateApp needs at least one app');
  return async function authenticate(req: Request, res: Response, next: NextFunction): Promise<void> {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const name = req.params.app;
    const app = typeof name === 'string' ? apps.get(name) : undefined;
    const credentials = app ? security.credentials.get(app.name) : undefined;
    const presented = presentedToken(req.get('authorization'));
    // Asked only right before a scrypt hash would run: the throttle costs nothing on the usual path.
    const mayHash = async (): Promise<boolean> => (await security.failures.blockedFor(address)) === 0 || security.hashAllowance.take(address);

    let verdict: Verdict;
    if ('reason' in presented) verdict = { ok: false, reason: presented.reason };
    else if (!app) verdict = { ok: false, reason: 'unknown app' };
    else if (!credentials) verdict = { ok: false, reason: 'the app has no credentials (removed by a configuration reload)' };
    else verdict = await credentials.check(presented.token, mayHash);

    if (verdict.ok) {
      req.appName = app!.name;
      res.locals.app = app;
      log.debug({ reqId: req.id, app: app!.name, method: verdict.method, ...verdict.who }, 'authenticated');
      next();
      return;
    }
    // The app name is logged only when it exists: a guessed name must not end up looking real.
    const context = { reqId: req.id, app: app?.name, ip: address, reason: verdict.reason };
    if (verdict.retryAfterSeconds !== undefined) {
      observe?.(app?.name, verdict.reason, 'unavailable');
      // Our outage, not the caller's fault: one warning when it starts, then quiet until it ends.
      if (verdict.outageStarted) log.warn(context, 'authentication unavailable');
      else log.debug(context, 'authentication unavailable');
      next(serviceUnavailable('Service temporarily unavailable', verdict.retryAfterSeconds));
      return;
    }
    const blocked = await security.failures.failed(address);
    if (blocked > 0) {
      observe?.(app?.name, verdict.reason, 'throttled');
      log.warn({ ...context, retryAfter: blocked }, 'authentication throttled: too many failures from this address');
      next(tooManyRequests('Too many requests', blocked));
      return;
    }
    observe?.(app?.name, verdict.reason);
    log.warn(context, 'authentication failed');
    next(unauthorized(security.realm, !('reason' in presented) || presented.tokenPresented));
  };
}

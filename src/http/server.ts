/**
 * The express application: request ids and logging, then per app: authenticate → parse body → SCIM
 * routes; a SCIM error for everything that goes wrong.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { runInScope } from '../audit/scope.js';
import { notFound, unsupportedMediaType } from '../scim/errors.js';
import type { InboundSecurity } from '../auth/inbound.js';
import { authenticateApp, type AuthenticatedApp, type AuthFailureObserver } from './authenticate.js';
import { limitAppRate, limitJsonDepth } from './limits.js';
import { requestLogging, type RequestObserver } from './logging.js';
import { errorHandler, sendScim } from './respond.js';
import { scimRoutes, type RouteOptions, type RoutedApp } from './scim-routes.js';

export type HttpApp = AuthenticatedApp & RoutedApp;

export interface HttpOptions extends RouteOptions {
  bodyLimitBytes: number;
  /** Deepest nesting a body may have (server.maxJsonDepth). */
  maxJsonDepth: number;
  /** Credentials, failure throttle, per-app rate limit (src/auth/inbound.ts). */
  security: InboundSecurity;
  /** Resolves when the store answers and is migrated (health and readiness). */
  storeHealth: () => Promise<void>;
  /** Each answered request (metrics). */
  observeRequest?: RequestObserver;
  /** Each refused authentication (metrics). */
  observeAuthFailure?: AuthFailureObserver;
}

const JSON_TYPES = ['application/scim+json', 'application/json'];

/** `/Users/{id}`, `/Groups/{id}`: what a request is about, as its path says. */
const RESOURCE_PATH = /^\/(Users|Groups)(?:\/([^/]+))?\/?$/;

/**
 * Runs the rest of the request inside its scope (src/audit/scope.ts): the connector, the native client
 * and the audit trail below it learn the request id and what the request is about from there. Entered
 * after the body is read: the stream events that parse it run outside any request's async context.
 */
function enterRequestScope(req: Request, _res: Response, next: NextFunction): void {
  const match = RESOURCE_PATH.exec(req.path);
  const id = match?.[2] === undefined ? undefined : decodedOrNone(match[2]);
  const subject = match ? { resourceType: match[1] === 'Users' ? ('User' as const) : ('Group' as const), ...(id === undefined || id.startsWith('.') ? {} : { resourceId: id }) } : {};
  runInScope({ requestId: req.id, ...(req.appName === undefined ? {} : { app: req.appName }), subject }, next);
}

function decodedOrNone(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // the route answers it 404
  }
}

/** A body in anything but JSON is refused with 415 before it is read. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (hasBody && !req.is(JSON_TYPES)) {
    next(unsupportedMediaType('The request body must be application/scim+json'));
    return;
  }
  next();
}

export function buildHttpApp(apps: ReadonlyMap<string, HttpApp>, options: HttpOptions, log: Logger): express.Express {
  const app = express();
  // SCIM versions are our ETags; express's body-hash ETag would be wrong (and costs a hash per response).
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.set('query parser', 'simple');
  // Which address req.ip is: the per-address failure throttle must see the client, not the proxy.
  app.set('trust proxy', options.security.trustProxy);

  app.use(requestLogging(log, options.observeRequest));

  // Liveness: the process answers (a load balancer or orchestrator restarts it otherwise). It also says
  // whether the store answers, but stays 200 while the database is away: restarting would not bring it back.
  app.get('/healthz', async (_req, res) => {
    const store = await options.storeHealth().then(
      () => 'ok',
      () => 'unavailable',
    );
    sendScim(res, 200, { status: 'ok', store });
  });
  // Readiness: send this replica traffic only while its store answers and is migrated, and every app
  // has its inbound credentials (a reload that lost an app's would refuse all its clients).
  app.get('/readyz', async (_req, res) => {
    const missing = [...apps.keys()].filter((name) => !options.security.credentials.get(name));
    if (missing.length > 0) {
      sendScim(res, 503, { status: 'unavailable', reason: 'an app has no inbound credentials loaded', apps: missing });
      return;
    }
    try {
      await options.storeHealth();
      sendScim(res, 200, { status: 'ready' });
    } catch {
      sendScim(res, 503, { status: 'unavailable', reason: 'the store does not answer' });
    }
  });

  app.use(
    '/apps/:app/scim/v2',
    authenticateApp(apps, options.security, log, options.observeAuthFailure),
    limitAppRate(options.security.rate),
    requireJsonBody,
    express.json({ type: JSON_TYPES, limit: options.bodyLimitBytes, strict: true }),
    limitJsonDepth(options.maxJsonDepth),
    enterRequestScope,
    scimRoutes(options),
  );

  app.use(() => {
    throw notFound('Not found');
  });
  app.use(errorHandler(log));
  return app;
}

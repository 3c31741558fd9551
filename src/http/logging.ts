/**
 * pino, with every place a secret could hide redacted; one line per request at info level, without
 * bodies or query strings (filters carry personal data, and a misplaced token could sit in the query).
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentScope } from '../audit/scope.js';

export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  'req.headers.cookie',
  'headers.cookie',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'password',
  '*.password',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'scim-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every line written while a request is served names it (native calls, decisions, store trouble),
    // without each module passing the id along. A line's own reqId wins; nothing is written twice.
    mixin: () => {
      const scope = currentScope();
      return scope ? { reqId: scope.requestId } : {};
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requestLogging: the id of this request (from X-Request-Id when sane, else generated). */
    id: string;
    /** Set by the app lookup: the app this request addresses, once it is known and authenticated. */
    appName?: string;
  }
}

/**
 * Whether an answer with this status is a fault of the gateway worth an error line: a 5xx, except 501,
 * which the gateway gives on purpose (/Bulk is not implemented), and the 502/503/504 that say something
 * outside it (the database, the native API, a key set) cannot answer now — those are expected, retried by
 * the client, and logged once per episode (respond.ts). A 4xx is the client's, logged at info and debug.
 */
export function isFaultStatus(status: number): boolean {
  return status >= 500 && status !== 501 && !isUpstreamTrouble(status);
}

export function isUpstreamTrouble(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** Why a 4xx was answered, noted on the response by the error path (server.ts) for the request's line. */
export interface Refusal {
  scimType?: string;
  reason: string;
}

/** Called once per answered request (not for probes): metrics. */
export type RequestObserver = (app: string | undefined, method: string, status: number, seconds: number) => void;

/** Load-balancer and orchestrator probes: answered every few seconds, not worth a line each (a failing readiness probe is). */
const isQuietProbe = (path: string, status: number) => path === '/healthz' || (path === '/readyz' && status === 200);

/**
 * A reason fit for an info line: the gateway's own messages name attributes, not values, but an email
 * address (a userName) can still turn up in one; it is masked, and the reason kept short.
 */
export function safeReason(message: string): string {
  const masked = message.replace(/[^\s"'<>()[\]{},;:]+@[^\s"'<>()[\]{},;:]+/g, '[email]');
  return masked.length > 200 ? `${masked.slice(0, 200)}…` : masked;
}

/** Gives each request an id (echoed in X-Request-Id) and logs one line when the response is done. */
export function requestLogging(log: Logger, observe?: RequestObserver) {
  return function logRequests(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    const given = req.get('x-request-id');
    req.id = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => {
      const path = req.originalUrl.split('?', 1)[0]!;
      if (isQuietProbe(path, res.statusCode)) return;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      observe?.(req.appName, req.method, res.statusCode, durationMs / 1000);
      const refusal = res.locals.refusal as Refusal | undefined;
      const line = {
        reqId: req.id,
        app: req.appName,
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Math.round(durationMs * 1000) / 1000,
        ...(refusal && res.statusCode >= 400 && res.statusCode < 500 ? { scimType: refusal.scimType, reason: refusal.reason } : {}),
      };
      if (isFaultStatus(res.statusCode)) log.error(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}

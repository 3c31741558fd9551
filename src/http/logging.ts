/**
 * pino, with every place a secret could hide redacted; one line per request at info level, without
 * bodies or query strings (filters carry personal data, and a misplaced token could sit in the query).
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { pino, type Logger, type LoggerOptions } from 'pino';

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

/** Gives each request an id (echoed in X-Request-Id) and logs one line when the response is done. */
export function requestLogging(log: Logger) {
  return function logRequests(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    const given = req.get('x-request-id');
    req.id = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        reqId: req.id,
        app: req.appName,
        method: req.method,
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        durationMs: Math.round(durationMs * 1000) / 1000,
      };
      if (isFaultStatus(res.statusCode)) log.error(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}

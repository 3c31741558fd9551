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
      // A 503 asks the client to come back (Retry-After); whoever decided it logged why, once.
      if (res.statusCode >= 500 && res.statusCode !== 503) log.error(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}

/**
 * Every response leaves as application/scim+json, errors included (ENTRA.md #16). Errors from anywhere
 * in the chain are turned into SCIM error bodies here; a stray exception is a logged 500 that shows the
 * client nothing of its cause. Answers given on purpose (4xx, /Bulk's 501) are logged at debug, without
 * a stack: they are not faults.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import {
  ScimError,
  internalError,
  invalidSyntax,
  notFound,
  payloadTooLarge,
  unsupportedMediaType,
} from '../scim/errors.js';
import { isFaultStatus, isUpstreamTrouble, safeReason, type Refusal } from './logging.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function sendScim(res: Response, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  // An answer sent before the body was read (401, 413, 415, 429): node would keep the socket to read the
  // rest, so a client sending it slowly could hold it; the connection ends with the answer instead.
  if (bodyUnread(res.req)) res.setHeader('Connection', 'close');
  if (body === undefined || status === 204 || status === 304) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  res.end(JSON.stringify(body));
}

function bodyUnread(req: Request): boolean {
  const announced = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  return announced && !req.complete;
}

/** Errors raised by express itself and body-parser, in SCIM terms. */
function fromFrameworkError(error: unknown): ScimError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { type?: string; status?: number; statusCode?: number };
  switch (e.type) {
    case 'entity.too.large':
      return payloadTooLarge('The request body is too large');
    case 'entity.parse.failed':
      return invalidSyntax('The request body is not valid JSON', error);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return unsupportedMediaType('Unsupported body encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return invalidSyntax('The request body could not be read', error);
  }
  const status = e.status ?? e.statusCode;
  if (status === 400) return invalidSyntax('Malformed request', error);
  if (status === 404) return notFound('Not found');
  return undefined;
}

/** How long one warning stands for the same trouble before it is repeated (with how often it recurred). */
const EPISODE_MS = 60_000;

/**
 * Trouble outside the gateway (a database that is away, a native API that fails) is answered 502/503/504
 * on every request it touches; the log gets one warning line per kind of trouble and app per minute, with
 * no stack, instead of an error line per request exactly when the operator needs to read the log.
 */
function troubleLog(log: Logger) {
  const open = new Map<string, { until: number; repeats: number }>();
  return (scim: ScimError, app: string | undefined) => {
    const key = `${app ?? ''}\u0000${scim.status}\u0000${scim.message}`;
    const now = Date.now();
    const episode = open.get(key);
    if (episode && now < episode.until) {
      episode.repeats += 1;
      return;
    }
    if (open.size > 1000) open.clear();
    open.set(key, { until: now + EPISODE_MS, repeats: 0 });
    // The cause's kind only: a driver's or native API's message can carry hosts, users or personal data.
    const cause = scim.cause instanceof Error ? scim.cause.name : undefined;
    const code = typeof scim.cause === 'object' && scim.cause !== null && 'code' in scim.cause ? String(scim.cause.code) : undefined;
    log.warn({ app, status: scim.status, detail: scim.message, cause, code, repeatedBefore: episode?.repeats }, 'upstream trouble (logged once a minute while it lasts)');
  };
}

export function errorHandler(log: Logger) {
  const trouble = troubleLog(log);
  // Express recognises error handlers by their four parameters.
  return function scimErrorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
    let scim = error instanceof ScimError ? error : fromFrameworkError(error);
    if (!scim) {
      log.error({ err: error, reqId: req.id, app: req.appName }, 'unhandled error');
      scim = internalError(error);
    } else if (isUpstreamTrouble(scim.status)) {
      trouble(scim, req.appName);
    } else if (isFaultStatus(scim.status)) {
      log.error({ err: scim.cause ?? scim, reqId: req.id, app: req.appName }, 'request failed');
    } else {
      // A 4xx, or a 5xx its raiser explained already (keys unreachable, a native 503): no stack to show.
      log.debug({ reqId: req.id, status: scim.status, scimType: scim.scimType, detail: scim.message }, 'request refused');
    }
    if (scim.status >= 400 && scim.status < 500) {
      // Why the request was refused, for its log line (logging.ts): here, where body-parser errors became SCIM errors too.
      res.locals.refusal = { ...(scim.scimType ? { scimType: scim.scimType } : {}), reason: safeReason(scim.message) } satisfies Refusal;
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendScim(res, scim.status, scim.toJSON(), { ...scim.headers });
  };
}

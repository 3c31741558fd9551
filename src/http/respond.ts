/**
 * Every response leaves as application/scim+json, errors included (ENTRA.md #16). Errors from anywhere
 * in the chain are turned into SCIM error bodies here; a stray exception is a logged 500 that shows the
 * client nothing of its cause.
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

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function sendScim(res: Response, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined || status === 204 || status === 304) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  res.end(JSON.stringify(body));
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

export function errorHandler(log: Logger) {
  // Express recognises error handlers by their four parameters.
  return function scimErrorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
    let scim = error instanceof ScimError ? error : fromFrameworkError(error);
    if (!scim) {
      log.error({ err: error, reqId: req.id, app: req.appName }, 'unhandled error');
      scim = internalError(error);
    } else if (scim.status >= 500 && scim.cause !== undefined) {
      log.error({ err: scim.cause, reqId: req.id, app: req.appName }, 'request failed');
    } else {
      // A 4xx, or a 5xx its raiser explained already (keys unreachable, a native 503): no stack to show.
      log.debug({ reqId: req.id, status: scim.status, scimType: scim.scimType, detail: scim.message }, 'request refused');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendScim(res, scim.status, scim.toJSON(), { ...scim.headers });
  };
}

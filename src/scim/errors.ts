/**
 * The one registry of SCIM errors (RFC 7644 §3.12). Every error the gateway answers is built here, so the
 * pairs of HTTP status and scimType stay valid: a scimType only exists with the status the RFC gives it.
 */

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** scimType values from RFC 7644 Table 9, each with the only status it may travel with. */
export const SCIM_TYPES = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
} as const;

export type ScimType = keyof typeof SCIM_TYPES;

/** Statuses the gateway answers without a scimType. */
const PLAIN_STATUSES = new Set([304, 400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 429, 500, 501, 502, 503, 504]);

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  /** Headers that belong with this error (Retry-After, WWW-Authenticate). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    scimType: ScimType | undefined,
    detail: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    if (scimType !== undefined) {
      if (SCIM_TYPES[scimType] !== status) {
        throw new TypeError(`scimType ${scimType} goes with status ${SCIM_TYPES[scimType]}, not ${status}`);
      }
    } else if (!PLAIN_STATUSES.has(status)) {
      throw new TypeError(`status ${status} is not a SCIM error status`);
    }
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.headers = Object.freeze({ ...(options.headers ?? {}) });
  }

  toJSON(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [SCIM_ERROR_SCHEMA], status: String(this.status) };
    if (this.scimType) body.scimType = this.scimType;
    if (this.message) body.detail = this.message;
    return body;
  }
}

// Named constructors: call sites read as the RFC does.
export const invalidFilter = (detail: string, cause?: unknown) => new ScimError(400, 'invalidFilter', detail, { cause });
export const invalidSyntax = (detail: string, cause?: unknown) => new ScimError(400, 'invalidSyntax', detail, { cause });
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const invalidValue = (detail: string, cause?: unknown) => new ScimError(400, 'invalidValue', detail, { cause });
export const noTarget = (detail: string) => new ScimError(400, 'noTarget', detail);
export const mutability = (detail: string) => new ScimError(400, 'mutability', detail);
export const uniqueness = (detail: string, cause?: unknown) => new ScimError(409, 'uniqueness', detail, { cause });
export const tooMany = (detail: string) => new ScimError(400, 'tooMany', detail);
export const notFound = (detail: string, cause?: unknown) => new ScimError(404, undefined, detail, { cause });
export const preconditionFailed = (detail: string) => new ScimError(412, undefined, detail);
export const payloadTooLarge = (detail: string) => new ScimError(413, undefined, detail);
export const unsupportedMediaType = (detail: string) => new ScimError(415, undefined, detail);
export const methodNotAllowed = (detail: string) => new ScimError(405, undefined, detail);
/**
 * RFC 6750 §3: the challenge names the realm; `error="invalid_token"` only when a token was presented
 * (§3.1: a request without credentials gets no error code). Nothing says why a token failed.
 */
export const unauthorized = (realm: string, tokenPresented: boolean) =>
  new ScimError(401, undefined, 'Authentication required', {
    headers: { 'WWW-Authenticate': tokenPresented ? `Bearer realm="${realm}", error="invalid_token"` : `Bearer realm="${realm}"` },
  });
export const conflict = (detail: string) => new ScimError(409, undefined, detail);
export const internalError = (cause?: unknown) => new ScimError(500, undefined, 'Internal server error', { cause });
// Downstream trouble, translated once at a connector's edge; the native error stays as `cause`.
const retryAfter = (seconds?: number): Record<string, string> =>
  seconds === undefined ? {} : { 'Retry-After': String(Math.max(0, Math.ceil(seconds))) };
export const tooManyRequests = (detail: string, retryAfterSeconds?: number, cause?: unknown) =>
  new ScimError(429, undefined, detail, { cause, headers: retryAfter(retryAfterSeconds) });
export const serviceUnavailable = (detail: string, retryAfterSeconds?: number, cause?: unknown) =>
  new ScimError(503, undefined, detail, { cause, headers: retryAfter(retryAfterSeconds) });
export const badGateway = (detail: string, cause?: unknown) => new ScimError(502, undefined, detail, { cause });
export const gatewayTimeout = (detail: string, cause?: unknown) => new ScimError(504, undefined, detail, { cause });

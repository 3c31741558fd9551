/**
 * The outbound HTTP client a REST connector talks to a native API through: outbound auth, a per-app
 * rate budget, timeouts, retries with backoff, Retry-After. It knows nothing of SCIM or plugins.
 */

export type OutboundAuth =
  | { type: 'none' }
  /** An API key in any header, e.g. `Authorization: <key>` or `X-API-Key: <key>`, with an optional prefix. */
  | { type: 'header'; header: string; prefix?: string; value: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string }
  /**
   * OAuth2 client credentials (openid-client); the token is cached until shortly before it expires.
   * `refreshOn`: statuses that mean the token went stale (a new one is fetched, the call tried once more; default [401]).
   */
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string; audience?: string; refreshOn?: readonly number[] }
  /** A token endpoint of the API's own (token-endpoint.ts): any request, the token and its lifetime at paths of the answer. */
  | {
      type: 'token';
      request: { method: 'GET' | 'POST'; url: string; json?: Record<string, string>; form?: Record<string, string> };
      /** Where the token is in the answer, e.g. `data.token`. */
      token: string;
      /** Where its lifetime in seconds is, e.g. `data.expires_in`. */
      expiresIn?: string;
      /** Used when the answer gives no lifetime. */
      lifetimeSeconds: number;
      /** How the token is sent: `<header>: <prefix> <token>`. */
      header: string;
      prefix: string;
      refreshOn: readonly number[];
    };

export interface ConnectionSettings {
  /** e.g. https://my.15five.com/api/public — request paths are appended to it. */
  baseUrl: string;
  auth: OutboundAuth;
  /** Sent on every request (e.g. `Accept: application/json` for BambooHR). */
  headers?: Record<string, string>;
  /** One attempt's time limit. */
  timeoutMs: number;
  /** The native API's budget, held across concurrent requests of the app. */
  rateLimit: { requestsPerSecond: number; burst?: number; concurrency: number };
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface NativeRequest {
  method: HttpMethod;
  /** Path below baseUrl, already rendered, every parameter URL-encoded by the caller. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /**
   * Safe to repeat after an ambiguous failure (timeout, 5xx, dropped connection). A non-idempotent
   * request is retried only when the native API surely did not process it (429/503 refusals,
   * connection refused); otherwise the error is thrown and the caller decides (search, then retry).
   */
  idempotent: boolean;
  /** What this call is, for logs and the audit trail, e.g. 'users.create'. */
  operation: string;
}

export interface NativeResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON when the response was JSON, the text otherwise, undefined when empty. */
  body: unknown;
  durationMs: number;
}

export type DownstreamErrorKind = 'rate_limited' | 'unavailable' | 'timeout' | 'network' | 'http';

/** A native call that did not produce a usable answer. Its details are for logs, never for the client. */
export class DownstreamError extends Error {
  constructor(
    readonly kind: DownstreamErrorKind,
    message: string,
    readonly details: {
      operation: string;
      status?: number;
      retryAfterSeconds?: number;
      /** The native body, for (redacted, truncated) logs only. */
      body?: unknown;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DownstreamError';
  }
}

/** One native call as it happened, for the audit trail and logs (never carries credentials). */
export interface NativeCallEvent {
  operation: string;
  method: HttpMethod;
  /** The path without query string. */
  path: string;
  status?: number;
  attempt: number;
  durationMs: number;
  outcome: 'ok' | 'retry' | 'error';
  /** How long this attempt waited for the app's rate budget (a concurrency slot, then a start token). */
  rateWaitMs?: number;
  /** The inbound request this call was made for, when there is one. */
  requestId?: string;
}

export interface NativeClient {
  /**
   * Resolves with every final answer below 500 except 429 (2xx and 4xx alike: the caller's error rules
   * judge 4xx). Throws DownstreamError for 429/503 once retries are spent (with retryAfterSeconds when
   * the native API gave one), for other 5xx, timeouts and network failures.
   */
  request(req: NativeRequest): Promise<NativeResponse>;
  close(): Promise<void>;
}

export interface NativeClientOptions {
  /** Called once per attempt. */
  onCall?: (event: NativeCallEvent) => void;
  /** The header the inbound request's id is sent in (X-Request-Id by default in the configuration); none when absent. */
  requestIdHeader?: string;
  /** Logs native error bodies (already redacted and truncated by the client). */
  log?: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
}

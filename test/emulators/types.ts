/**
 * The shapes shared by the three native-API emulators: the switchable faults, the handle a test holds,
 * and the small request/reply model each API module implements.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type EmulatorKind = '15five' | 'bamboohr' | 'hibob' | 'personio' | '15five-scim';

export type FaultMode = '500' | '503' | '429' | 'drop' | 'slow';

/** Switchable at run time with `setFaults`; each call replaces the whole set. */
export interface Faults {
  /** Added before every response. */
  latencyMs?: number;
  /** 0..1: the share of requests that fail with a mode picked from `failWith` (seeded PRNG: `seed`). */
  failRate?: number;
  /** Picked among at random per failing request (default ['500']). */
  failWith?: FaultMode[];
  /** Retry-After of 429/503 answers (default 1). */
  retryAfterSeconds?: number;
  /** For 'slow': respond after this delay (default 30 s, longer than any client timeout in tests). */
  slowMs?: number;
  /** Seeds the PRNG behind failRate (default 1): the same seed fails the same requests. */
  seed?: number;
  /** Deterministic: the next `count` requests fail with `with` (before failRate is consulted). */
  failNext?: { count: number; with: FaultMode };
  /**
   * When true, a request failing with 500, 'drop' or 'slow' is processed first (a write is applied) and
   * only the answer fails: the "create timed out but happened" case the gateway must not duplicate.
   * 429 and 503 are refusals and never processed. Default false.
   */
  processThenFail?: boolean;
  /** Above this many requests in one fixed 1-second window, answer 429 with Retry-After. */
  rateLimit?: { requestsPerSecond: number };
}

export interface RecordedRequest {
  method: string;
  /** The URL path, without query string, as received. */
  path: string;
  query: Record<string, string>;
  /** Request headers minus `authorization`. */
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, the text otherwise, undefined when empty. */
  body: unknown;
  /** The status answered; 0 while unanswered or when the connection was dropped. */
  status: number;
  /** When the request was counted against the rate limit (its body read), on the emulator's clock (ms). */
  at: number;
}

export interface Emulator {
  kind: EmulatorKind;
  /** The base URL to give the plugin, e.g. http://127.0.0.1:PORT/api/public */
  url: string;
  /** e.g. { apiKey } (15Five, BambooHR), { serviceUser, token } (HiBob), { clientId, clientSecret } (Personio). */
  credentials: Record<string, string>;
  setFaults(f: Faults): void;
  /** Native records as the API holds them, for assertions (copies). */
  users(): Array<Record<string, unknown>>;
  /** [] for APIs without groups. */
  groups(): Array<Record<string, unknown>>;
  /** Every request received, in order of arrival. */
  requests(): RecordedRequest[];
  /** Seeds a native record directly, without the API's validation (for adoption tests). */
  seedUser(fields: Record<string, unknown>): Record<string, unknown>;
  /** Seeds a native group (15Five: the only way one exists, its API cannot create them); throws for APIs without groups. */
  seedGroup(fields: Record<string, unknown>): Record<string, unknown>;
  /** Makes every issued access token stale (APIs with token endpoints); a no-op elsewhere. */
  revokeTokens(): void;
  /** Back to the state right after start: no records, no requests, the start-up faults. */
  reset(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Default 0 (any free port). Always listens on 127.0.0.1. */
  port?: number;
  credentials?: Record<string, string>;
  faults?: Faults;
  /** Milliseconds since the epoch; drives the rate-limit window and timestamps. Default Date.now. */
  clock?: () => number;
}

/** One HTTP request as an API module sees it. */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: RequestBody;
  /** e.g. http://127.0.0.1:4015, from the Host header: how the client reached us (for absolute URLs). */
  origin: string;
}

export type RequestBody =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid-json'; text: string }
  | { kind: 'other'; contentType: string; text: string };

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON when defined; no body at all when undefined. */
  body?: unknown;
}

/** What each API module implements; the shared server adds recording, faults and rate limits. */
export interface NativeApi {
  handle(req: EmulatorRequest): Reply;
  /** An error answer in this API's own shape (used for faults, rate limits and transport errors). */
  error(status: number, message: string, retryAfterSeconds?: number): Reply;
  users(): Array<Record<string, unknown>>;
  groups(): Array<Record<string, unknown>>;
  seedUser(fields: Record<string, unknown>): Record<string, unknown>;
  seedGroup?(fields: Record<string, unknown>): Record<string, unknown>;
  revokeTokens?(): void;
  reset(): void;
}

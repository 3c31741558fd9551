/**
 * The native HTTP client of one app: every call waits for the app's budget (a concurrency slot, then a
 * start token), carries the app's outbound credentials, has one attempt timeout, and is retried by the
 * rules in retry.ts. Errors leave as DownstreamError; bodies and credentials never reach a message.
 */
import { setMaxListeners } from 'node:events';
import type { NativeRateSource } from '../../budgets/index.js';
import { createOutboundAuth, type AuthHeaders } from './auth.js';
import { sleepUnlessAborted, systemClock, type Clock } from './clock.js';
import { neverConnected, toDownstreamError, type AttemptFailure } from './failure.js';
import { TokenRequestError } from './oauth2.js';
import { createRateBudget } from './rate-limit.js';
import { currentScope } from '../../audit/scope.js';
import { bodyForLog, createRedactor } from './redact.js';
import { ResponseTooLargeError } from './response.js';
import { decideRetry, parseRetryAfter } from './retry.js';
import { linkSignals } from './signals.js';
import { createTransport } from './transport.js';
import {
  DownstreamError,
  type ConnectionSettings,
  type HttpMethod,
  type NativeCallEvent,
  type NativeClient,
  type NativeClientOptions,
  type NativeRequest,
  type NativeResponse,
} from './types.js';
import { buildUrl, parseBaseUrl } from './url.js';

export interface CreateNativeClientOptions extends NativeClientOptions {
  /** Time for rate budgets, backoff and token lifetimes; the system clock by default. */
  clock?: Clock;
  /** Jitter source in [0, 1); Math.random by default. */
  random?: () => number;
  /** The app's native rate budget (src/budgets/: shared by replicas or not); one of the client's own by default. */
  nativeRate?: NativeRateSource;
}

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** One attempt's outcome; `durationMs` is the time on the wire (0 when the request never left). */
type AttemptResult = ({ response: NativeResponse; auth: AuthHeaders } | { failure: AttemptFailure; durationMs: number }) & { rateWaitMs?: number };

const NOT_SENT_CLOSED: AttemptResult = { failure: { type: 'closed' }, durationMs: 0 };

export function createNativeClient(settings: ConnectionSettings, options: CreateNativeClientOptions = {}): NativeClient {
  checkSettings(settings);
  const base = parseBaseUrl(settings.baseUrl);
  // Validates names and values once (fetch would refuse them on every call).
  const fixedHeaders = new Headers(settings.headers);
  const clock = options.clock ?? systemClock;
  const lifecycle = new AbortController();
  // Every waiting sleep and token grant listens to it: as many listeners as concurrent callers, by design.
  setMaxListeners(0, lifecycle.signal);
  const auth = createOutboundAuth(settings.auth, { clock, signal: lifecycle.signal, timeoutMs: settings.timeoutMs });
  const budget = createRateBudget(settings.rateLimit, clock, lifecycle.signal, options.nativeRate);
  const redact = createRedactor(() => auth.secrets());
  const transport = createTransport(settings.rateLimit.concurrency);

  function emit(event: NativeCallEvent): void {
    try {
      options.onCall?.(event);
    } catch {
      // An audit listener's bug must not turn a native call that happened into one that "failed".
      options.log?.warn({ operation: event.operation }, 'native call listener threw');
    }
  }

  function logErrorBody(req: NativeRequest, status: number, body: unknown): string | undefined {
    const logged = bodyForLog(body, redact);
    options.log?.warn({ reqId: currentScope()?.requestId, operation: req.operation, method: req.method, path: req.path, status, body: logged }, 'native API error response');
    return logged;
  }

  async function attemptOnce(req: NativeRequest, url: URL, body: string | undefined, attempt: number): Promise<AttemptResult> {
    if (lifecycle.signal.aborted) return NOT_SENT_CLOSED;
    const waitStarted = performance.now();
    let release: () => void;
    try {
      release = await budget.slot();
    } catch (err) {
      if (lifecycle.signal.aborted) return NOT_SENT_CLOSED;
      throw err;
    }
    try {
      let used: AuthHeaders;
      try {
        used = await auth.headers();
      } catch (err) {
        if (lifecycle.signal.aborted) return NOT_SENT_CLOSED;
        if (!(err instanceof TokenRequestError)) throw err;
        const error = new DownstreamError(err.kind, err.message, { operation: req.operation, status: err.status });
        return { failure: { type: 'token', error, retryable: err.retryable }, durationMs: 0 };
      }
      let ended: () => void;
      try {
        // The start token last, right before the request leaves: the recorded start is the real one.
        ended = await budget.start();
      } catch (err) {
        if (lifecycle.signal.aborted) return NOT_SENT_CLOSED;
        throw err;
      }
      try {
        return await sendCounted(req, url, body, attempt, used, waitStarted);
      } finally {
        // The budget counts the call until a window after this (the API counted it somewhere before).
        ended();
      }
    } finally {
      release();
    }
  }

  /** One request sent, its start already counted by the budget. */
  async function sendCounted(req: NativeRequest, url: URL, body: string | undefined, attempt: number, used: AuthHeaders, waitStarted: number): Promise<AttemptResult> {
    // Includes the token grant, which waits like the budget does (and is itself rate-limited by the API).
    const rateWaitMs = performance.now() - waitStarted;

    const merged = new Headers(fixedHeaders);
    if (body !== undefined) merged.set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(used.headers)) merged.set(name, value);
    // The inbound request's id, so the native API's own logs can be matched with ours.
    const requestId = currentScope()?.requestId;
    if (options.requestIdHeader && requestId !== undefined) merged.set(options.requestIdHeader, requestId);
    const headers = Object.fromEntries(merged);

    options.log?.debug({ reqId: requestId, operation: req.operation, method: req.method, path: req.path, attempt }, 'native request');
    const startedAt = performance.now();
    const link = linkSignals([lifecycle.signal], settings.timeoutMs);
    try {
      const read = await transport.send(url, { method: req.method, headers, body, signal: link.signal });
      return { response: { ...read, durationMs: performance.now() - startedAt }, auth: used, rateWaitMs };
    } catch (err) {
      const durationMs = performance.now() - startedAt;
      if (lifecycle.signal.aborted) return { failure: { type: 'closed' }, durationMs, rateWaitMs };
      if (link.timedOut()) return { failure: { type: 'timeout' }, durationMs, rateWaitMs };
      if (err instanceof ResponseTooLargeError) return { failure: { type: 'oversize', status: err.status }, durationMs, rateWaitMs };
      return { failure: { type: 'network', notSent: neverConnected(err), cause: err }, durationMs, rateWaitMs };
    } finally {
      link.dispose();
    }
  }

  async function request(req: NativeRequest): Promise<NativeResponse> {
    if (!METHODS.has(req.method)) throw new TypeError(`native request: unsupported method ${String(req.method)}`);
    const url = buildUrl(base, req.path, req.query);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const requestId = currentScope()?.requestId;
    let rateWaitMs: number | undefined;
    const event = (attempt: number, durationMs: number, outcome: NativeCallEvent['outcome'], status?: number): NativeCallEvent => ({
      operation: req.operation,
      method: req.method,
      path: req.path,
      status,
      attempt,
      durationMs,
      outcome,
      ...(rateWaitMs === undefined ? {} : { rateWaitMs }),
      ...(requestId === undefined ? {} : { requestId }),
    });

    let attempt = 0;
    /** Tries that count against settings.retry.attempts (the one retry after a token refresh does not). */
    let tries = 0;
    let refreshed = false;
    for (;;) {
      attempt += 1;
      tries += 1;
      const result = await attemptOnce(req, url, body, attempt);
      rateWaitMs = result.rateWaitMs;

      let failure: AttemptFailure;
      let durationMs: number;
      if ('response' in result) {
        const { response } = result;
        const status = response.status;
        if (!refreshed && auth.refreshAfterRefusal(status, result.auth)) {
          // The cached token was refused (revoked, rotated, clock skew; 401, or what the plugin says): one new token, one more try.
          refreshed = true;
          tries -= 1;
          emit(event(attempt, response.durationMs, 'retry', status));
          continue;
        }
        if (status !== 429 && status < 500) {
          if (status >= 400) logErrorBody(req, status, response.body);
          emit(event(attempt, response.durationMs, status < 400 ? 'ok' : 'error', status));
          return response;
        }
        durationMs = response.durationMs;
        failure = {
          type: 'status',
          status,
          retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
          body: logErrorBody(req, status, response.body),
        };
      } else {
        failure = result.failure;
        durationMs = result.durationMs;
      }

      const status = failure.type === 'status' ? failure.status : undefined;
      const decision = decideRetry(failure, { idempotent: req.idempotent, attempt: tries, settings: settings.retry, random: options.random });
      if (!decision.retry) {
        emit(event(attempt, durationMs, 'error', status));
        throw toDownstreamError(failure, req.operation);
      }
      emit(event(attempt, durationMs, 'retry', status));
      await sleepUnlessAborted(clock, decision.waitMs, lifecycle.signal);
    }
  }

  return {
    request,
    async close() {
      if (lifecycle.signal.aborted) return;
      lifecycle.abort();
      budget.close(new DownstreamError('unavailable', 'native client closed', { operation: 'close' }));
      transport.close();
    },
  };
}

/** Operator mistakes in the connection settings fail at start-up, not on the first call. */
function checkSettings(settings: ConnectionSettings): void {
  const { timeoutMs, retry } = settings;
  // Node timers hold at most 2^31-1 ms; a larger value would fire at once.
  if (!(timeoutMs > 0) || timeoutMs > 2_147_483_647) throw new TypeError('native client: timeoutMs must be a positive number of ms (< 2^31)');
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) throw new TypeError('native client: retry.attempts must be an integer >= 1');
  if (!(retry.baseDelayMs >= 0) || !(retry.maxDelayMs >= retry.baseDelayMs) || !Number.isFinite(retry.maxDelayMs)) {
    throw new TypeError('native client: retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs');
  }
}

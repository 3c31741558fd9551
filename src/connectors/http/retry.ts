/**
 * When to try a native call again and how long to wait first. An idempotent request is repeated after
 * any transient failure; a non-idempotent one only when the API surely did nothing (it refused with
 * 429/503, or no connection was made) — after a timeout, another 5xx or a dropped connection the create
 * may have happened, and only the caller can find out (search, then retry).
 */
import type { AttemptFailure } from './failure.js';
import type { ConnectionSettings } from './types.js';

export type RetrySettings = ConnectionSettings['retry'];

export function isRetryable(failure: AttemptFailure, idempotent: boolean): boolean {
  switch (failure.type) {
    case 'status':
      return failure.status === 429 || failure.status === 503 || (idempotent && failure.status >= 500);
    case 'timeout':
      return idempotent;
    case 'network':
      return failure.notSent || idempotent;
    case 'token':
      return failure.retryable;
    case 'oversize':
    case 'closed':
      return false;
  }
}

/**
 * Exponential backoff with full jitter: before retry n (1-based) wait a uniformly random time between
 * baseDelayMs and min(maxDelayMs, baseDelayMs * 2^(n-1)), so that callers failing together spread out.
 */
export function backoffDelayMs(retry: number, settings: RetrySettings, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const floor = Math.min(settings.baseDelayMs, ceiling);
  return floor + random() * (ceiling - floor);
}

/** Retry-After values are capped at a day: enough to say "much later", bounded for arithmetic. */
const MAX_RETRY_AFTER_S = 86_400;
const HTTP_DATE_SHAPE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6},? [A-Za-z0-9 :-]+$/;

/**
 * Retry-After (RFC 9110 §10.2.3) in whole seconds from now: delay-seconds or an HTTP-date. Undefined
 * when absent or unparseable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowEpochMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) {
    return Math.min(MAX_RETRY_AFTER_S, Number(text));
  }
  // Date.parse is lenient ("-5" and "1.5" are dates to it): only hand it something shaped like an
  // HTTP-date (IMF-fixdate, RFC 850 or asctime: a day name first), and nothing long.
  if (text.length > 40 || !HTTP_DATE_SHAPE.test(text)) return undefined;
  // asctime carries no zone but means GMT; Date.parse would read it as local time.
  const at = Date.parse(text.endsWith('GMT') ? text : `${text} GMT`);
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.ceil((at - nowEpochMs) / 1000);
  return Math.min(MAX_RETRY_AFTER_S, Math.max(0, seconds));
}

/** What to do after a failed attempt. */
export type RetryDecision = { retry: true; waitMs: number } | { retry: false };

export function decideRetry(
  failure: AttemptFailure,
  ctx: { idempotent: boolean; attempt: number; settings: RetrySettings; random?: () => number },
): RetryDecision {
  if (ctx.attempt >= ctx.settings.attempts || !isRetryable(failure, ctx.idempotent)) return { retry: false };
  const backoff = backoffDelayMs(ctx.attempt, ctx.settings, ctx.random);
  const retryAfterMs = failure.type === 'status' && failure.retryAfterSeconds !== undefined ? failure.retryAfterSeconds * 1000 : 0;
  // A wait longer than we are allowed to hold the caller: pass the refusal (and its Retry-After) upstream.
  if (retryAfterMs > ctx.settings.maxDelayMs) return { retry: false };
  return { retry: true, waitMs: Math.max(backoff, retryAfterMs) };
}

/**
 * Why an attempt failed, in the terms the retry rules need, and the DownstreamError it becomes when
 * no retry follows. The one place native failures are translated.
 */
import { DownstreamError } from './types.js';

export type AttemptFailure =
  /** The API answered 429 or 5xx. */
  | { type: 'status'; status: number; retryAfterSeconds?: number; body?: unknown }
  | { type: 'timeout' }
  /** `notSent`: the connection was never established, so the API surely did nothing. */
  | { type: 'network'; notSent: boolean; cause: unknown }
  /** The OAuth2 token could not be had; the API was not called. */
  | { type: 'token'; error: DownstreamError; retryable: boolean }
  /** The answer was larger than the client buffers. */
  | { type: 'oversize'; status: number }
  | { type: 'closed' };

/** Error codes meaning no connection was made, so no byte of the request reached the API. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * node:http rejects with the system error itself (`code`), wrapped errors and AggregateErrors (several
 * addresses) carry it in `cause`/`errors`. Not-sent only when every code found says "never connected".
 */
export function neverConnected(err: unknown): boolean {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 5 || typeof value !== 'object' || value === null) return;
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (value instanceof AggregateError) for (const inner of value.errors) visit(inner, depth + 1);
    visit((value as { cause?: unknown }).cause, depth + 1);
  };
  visit(err, 0);
  return codes.length > 0 && codes.every((code) => NOT_CONNECTED.has(code));
}

export function toDownstreamError(failure: AttemptFailure, operation: string): DownstreamError {
  switch (failure.type) {
    case 'status': {
      const details = { operation, status: failure.status, retryAfterSeconds: failure.retryAfterSeconds, body: failure.body };
      if (failure.status === 429) return new DownstreamError('rate_limited', 'native API rate limit reached', details);
      if (failure.status === 503) return new DownstreamError('unavailable', 'native API unavailable (503)', details);
      return new DownstreamError('http', `native API answered ${failure.status}`, details);
    }
    case 'timeout':
      return new DownstreamError('timeout', 'native API did not answer in time', { operation });
    case 'network':
      return new DownstreamError('network', failure.notSent ? 'native API unreachable' : 'connection to the native API failed', {
        operation,
        cause: failure.cause,
      });
    case 'token':
      return failure.error;
    case 'oversize':
      return new DownstreamError('http', 'native response too large', { operation, status: failure.status });
    case 'closed':
      return new DownstreamError('unavailable', 'native client closed', { operation });
  }
}

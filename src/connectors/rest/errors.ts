/**
 * Native trouble → SCIM errors, once, at the connector's edge. The native error stays as `cause` (for
 * logs); its body never reaches the client's message. A plugin's error rules are tried first, then the
 * defaults: 400/422 → 400 invalidValue, 404 → 404 (a known resource gone natively is reported, not
 * papered over), 409 → 409 uniqueness, 401/403 → 502 (the gateway's credentials, not the client's),
 * 429 → 429 with Retry-After, anything else → 502.
 */
import type { Logger } from 'pino';
import {
  badGateway,
  gatewayTimeout,
  invalidValue,
  notFound,
  ScimError,
  serviceUnavailable,
  tooManyRequests,
  uniqueness,
  type ScimType,
} from '../../scim/errors.js';
import type { CompiledErrorRule } from '../../plugins/types.js';
import { MappingError } from '../../plugins/operations.js';
import { getNative } from '../../plugins/native-paths.js';
import { DownstreamError, type NativeResponse } from '../http/types.js';

/** Retry-After sent upstream when the native API gave none. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** A native answer the plugin's operation did not expect; kept as the ScimError's cause. */
export class NativeResponseError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    /** For (redacted) logs only. */
    readonly body: unknown,
  ) {
    super(`${operation}: native status ${status}`);
    this.name = 'NativeResponseError';
  }
}

export function fromDownstream(error: DownstreamError): ScimError {
  const retryAfter = error.details.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  switch (error.kind) {
    case 'rate_limited':
      return tooManyRequests('The downstream system is limiting the request rate; retry later', retryAfter, error);
    case 'unavailable':
      return serviceUnavailable('The downstream system is unavailable; retry later', retryAfter, error);
    case 'timeout':
      return gatewayTimeout('The downstream system did not answer in time', error);
    case 'network':
    case 'http':
      return badGateway('The downstream system failed to answer', error);
  }
}

function bodyText(body: unknown): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function notEmpty(value: unknown): boolean {
  if (Array.isArray(value) || typeof value === 'string') return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return false;
}

function bodyFieldMatches(field: NonNullable<CompiledErrorRule['bodyField']>, body: unknown): boolean {
  const value = getNative(body, field.path);
  if (field.notEmpty) return notEmpty(value);
  return field.equals !== undefined && JSON.stringify(value) === JSON.stringify(field.equals.value);
}

function ruleMatches(rule: CompiledErrorRule, res: NativeResponse, operation: string): boolean {
  if (!rule.statuses.includes(res.status)) return false;
  if (rule.operations !== undefined && !rule.operations.includes(operation)) return false;
  if (rule.bodyContains !== undefined && !bodyText(res.body).toLowerCase().includes(rule.bodyContains)) return false;
  if (rule.header !== undefined && !(res.headers[rule.header.name] ?? '').toLowerCase().includes(rule.header.contains)) return false;
  if (rule.bodyField !== undefined && !bodyFieldMatches(rule.bodyField, res.body)) return false;
  return true;
}

/** The plugin's rules that can turn a 2xx answer of `operation` into a failure (for explain). */
export function successRulesOf(rules: readonly CompiledErrorRule[], operation: string): CompiledErrorRule[] {
  return rules.filter((r) => r.scim && r.statuses.some((s) => s < 300) && (r.operations === undefined || r.operations.includes(operation)));
}

/**
 * The SCIM error for a native answer: outside 2xx, the plugin's rule or the default (undefined when a rule
 * says to ignore it); a 2xx answer is an error only when a plugin rule says what failure it means (an
 * answer that says "done" while ignoring part of the write). `what` names the resource, e.g. "User".
 */
export function fromNativeResponse(res: NativeResponse, operation: string, rules: readonly CompiledErrorRule[], what: string): ScimError | undefined {
  const rule = rules.find((r) => ruleMatches(r, res, operation));
  // A matched rule decides (its error, or none when it says to ignore the answer); without one a 2xx is a success.
  if (rule ? !rule.scim : res.status >= 200 && res.status < 300) return undefined;
  // Only when there is an error to give: an Error captures a stack, and most answers are successes.
  const cause = new NativeResponseError(operation, res.status, res.body);
  if (rule?.scim) return new ScimError(rule.scim.status, rule.scim.scimType as ScimType | undefined, rule.scim.detail, { cause });
  switch (res.status) {
    case 400:
    case 422:
      return invalidValue(`The downstream system rejected the ${what}'s values (HTTP ${res.status})`, cause);
    case 404:
      return notFound(`The ${what} does not exist in the downstream system`, cause);
    case 409:
      return uniqueness(`The downstream system already has this ${what}`, cause);
    case 429: {
      const seconds = Number(res.headers['retry-after']);
      return tooManyRequests('The downstream system is limiting the request rate; retry later', Number.isFinite(seconds) ? seconds : DEFAULT_RETRY_AFTER_SECONDS, cause);
    }
    case 401:
    case 403:
      return badGateway("The downstream system refused the gateway's credentials", cause);
    default:
      return badGateway(`The downstream system answered HTTP ${res.status}`, cause);
  }
}

/** Any failure of a connector call, as the ScimError the client gets. */
export function toScimError(error: unknown): unknown {
  if (error instanceof ScimError) return error;
  if (error instanceof DownstreamError) return fromDownstream(error);
  if (error instanceof MappingError) return invalidValue(error.message, error);
  return error; // a bug: the resource service turns it into a 500
}

/** A connector call with every failure leaving as a ScimError (downstream trouble, native refusals, unmappable values). */
export async function atEdge<T>(work: () => Promise<T>, log: Logger): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const translated = toScimError(error);
    if (error instanceof DownstreamError) {
      // The message is the client's own (never a native body or a credential): it says what failed, a token request included.
      log.warn({ operation: error.details.operation, kind: error.kind, status: error.details.status, reason: error.message }, 'native call failed');
    }
    throw translated;
  }
}

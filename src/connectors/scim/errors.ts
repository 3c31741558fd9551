/**
 * The app's answers as SCIM errors, once, at the connector's edge (the REST connector's translation,
 * src/connectors/rest/errors.ts, shared). A SCIM error from the app keeps its status class and scimType —
 * protocol words, not data — but never its `detail`, which may echo anything, a secret included; an
 * answer that is not a SCIM error (an HTML page, a proxy's text) gets the default for its status.
 */
import { ScimError, SCIM_TYPES, type ScimType } from '../../scim/errors.js';
import type { NativeResponse } from '../http/types.js';
import { fromNativeResponse, NativeResponseError } from '../rest/errors.js';

export { atEdge } from '../rest/errors.js';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The SCIM error for a non-2xx answer of `operation` on a `what` ("User", "Group"). */
export function fromAppResponse(res: NativeResponse, operation: string, what: string): ScimError {
  const body = res.body as { schemas?: unknown; scimType?: unknown } | undefined;
  const scimError = typeof body === 'object' && body !== null && Array.isArray(body.schemas) && body.schemas.includes(SCIM_ERROR);
  const scimType = scimError && typeof body.scimType === 'string' && Object.hasOwn(SCIM_TYPES, body.scimType) ? (body.scimType as ScimType) : undefined;
  if (scimType && (res.status === 400 || (res.status === 409 && scimType === 'uniqueness'))) {
    return new ScimError(res.status, scimType, `The app refused the ${what} (${scimType})`, { cause: new NativeResponseError(operation, res.status, res.body) });
  }
  // No rules and a non-2xx answer (the only kind given here): always an error.
  return fromNativeResponse(res, operation, [], what)!;
}

/** A 2xx answer that should carry a resource and does not (HTML, text, a list, nothing). */
export function noResource(res: NativeResponse, operation: string): ScimError {
  return new ScimError(502, undefined, 'The app answered without a SCIM resource', { cause: new NativeResponseError(operation, res.status, res.body) });
}

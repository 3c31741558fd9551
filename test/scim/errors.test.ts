/** The one error registry: the scimType list, the pairs it refuses, the body every error leaves with. */
import { describe, expect, it } from 'vitest';
import * as errors from '../../src/scim/errors.js';
import { SCIM_TYPES, ScimError } from '../../src/scim/errors.js';

describe('the SCIM error registry', () => {
  it('pins the scimTypes of RFC 7644 Table 9 and their statuses', () => {
    expect(SCIM_TYPES).toEqual({
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
    });
  });

  it.each([
    [409, 'invalidFilter'],
    [400, 'uniqueness'],
    [500, 'invalidValue'],
    [404, 'sensitive'],
  ] as const)('refuses status %i with scimType %s', (status, scimType) => {
    expect(() => new ScimError(status, scimType, 'x')).toThrow(TypeError);
  });

  it.each([200, 201, 302, 418, 499])('refuses %i, which is not an error status', (status) => {
    expect(() => new ScimError(status, undefined, 'x')).toThrow(TypeError);
  });

  it('serializes with status as a string, scimType and detail', () => {
    expect(errors.uniqueness('taken').toJSON()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'taken',
    });
    expect(errors.notFound('gone').toJSON()).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'gone' });
  });

  it('keeps a cause out of the body, and carries the headers that belong with the error', () => {
    const cause = new Error('native said: secret-ish detail');
    const e = errors.tooManyRequests('Slow down', 7.2, cause);
    expect(e.cause).toBe(cause);
    expect(JSON.stringify(e.toJSON())).not.toContain('secret-ish');
    expect(e.headers).toEqual({ 'Retry-After': '8' });
    expect(errors.serviceUnavailable('down').headers).toEqual({});
    expect(errors.unauthorized('r', false).headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="r"' });
    expect(errors.unauthorized('r', true).headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="r", error="invalid_token"' });
  });
});

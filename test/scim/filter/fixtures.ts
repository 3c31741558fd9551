/** Shared fixtures for the filter tests: a registry with the enterprise extension and a test extension. */

import type { AttrPathRef, CompareOp, FilterNode, FilterValue } from '../../../src/scim/filter/ast.js';
import { attr, type SchemaDefinition } from '../../../src/scim/schemas/types.js';
import { buildRegistry, ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, GROUP_SCHEMA, USER_SCHEMA } from '../../../src/scim/schemas/registry.js';
import type { FilterContext } from '../../../src/scim/filter/index.js';

export const ENT = ENTERPRISE_USER_SCHEMA;
export const FIFTEEN_FIVE = 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User';
export const TEST_EXT = 'urn:example:params:scim:schemas:extension:test:2.0:User';

const fifteenFive: SchemaDefinition = {
  id: FIFTEEN_FIVE,
  name: '15Five User',
  description: '15Five user extension',
  attributes: [attr('location', 'string'), attr('startDate', 'string')],
};

/** Types the core schemas lack: numbers, a dateTime, a multi-valued simple attribute, a caseExact string. */
export const testExtension: SchemaDefinition = {
  id: TEST_EXT,
  name: 'Test',
  description: 'Attribute types for filter tests',
  attributes: [
    attr('level', 'integer'),
    attr('score', 'decimal'),
    attr('hiredAt', 'dateTime'),
    attr('tags', 'string', { multiValued: true }),
    attr('badge', 'string', { caseExact: true }),
  ],
};

export const registry = buildRegistry([enterpriseUserSchema, fifteenFive, testExtension]);
export const users: FilterContext = { registry, type: 'User' };
export const groups: FilterContext = { registry, type: 'Group' };

export const MANAGER_ID = '26118915-6090-4610-87e4-49d8ca9f808d';

export const sampleUser = {
  schemas: [USER_SCHEMA, ENT, TEST_EXT],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'bjensen-EXT',
  meta: {
    resourceType: 'User',
    created: '2011-08-01T18:29:49.793Z',
    lastModified: '2011-08-01T21:32:44.882Z',
    location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    version: 'W/"3"',
  },
  userName: 'BJensen@example.com',
  name: { familyName: "O'Malley", givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  nickName: '',
  title: 'Tour Guide',
  userType: 'Employee',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  roles: [],
  groups: [{ value: 'e9e30dba', display: 'Tour Guides', type: 'direct' }],
  [ENT]: { employeeNumber: '701984', manager: { value: MANAGER_ID, displayName: 'John Smith' } },
  [FIFTEEN_FIVE]: { startDate: '01/02/2020' },
  [TEST_EXT]: { level: 7, score: 4.5, hiredAt: '2011-08-01T12:00:00+02:00', tags: ['Blue', 'green'], badge: 'AbC' },
};

export const sampleGroup = {
  schemas: [GROUP_SCHEMA],
  id: 'e9e30dba',
  displayName: 'Tour Guides',
  meta: { resourceType: 'Group', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z', version: 'W/"1"' },
  members: [
    { value: '2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen', type: 'User', $ref: 'https://example.com/v2/Users/2819c223' },
    { value: '902c246b', type: 'User' },
  ],
};

// Tree builders, so expected trees read close to the filter text.
export const path = (name: string, sub?: string, uri?: string): AttrPathRef => ({
  ...(uri === undefined ? {} : { uri }),
  name,
  ...(sub === undefined ? {} : { sub }),
});
export const cmp = (p: AttrPathRef, op: CompareOp, value: FilterValue): FilterNode => ({ kind: 'compare', path: p, op, value });
export const pr = (p: AttrPathRef): FilterNode => ({ kind: 'present', path: p });
export const and = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'and', left, right });
export const or = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'or', left, right });
export const not = (filter: FilterNode): FilterNode => ({ kind: 'not', filter });
export const vp = (p: AttrPathRef, filter: FilterNode): FilterNode => ({ kind: 'valuePath', path: p, filter });

export { scimErrorOf } from '../../support/scim-error.js';

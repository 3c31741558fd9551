import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { parseAttributeList, project, type ProjectionContext } from '../../src/scim/projection.js';
import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, GROUP_SCHEMA, SchemaRegistry, USER_SCHEMA } from '../../src/scim/schemas/registry.js';
import { attr, type SchemaDefinition } from '../../src/scim/schemas/types.js';
import type { JsonObject } from '../../src/store/types.js';
import { FIFTEEN_FIVE, fifteenFiveSchema } from '../support/schemas.js';

// Not an Entra schema: it gives the tests a `returned: request` attribute.
const NOTES = 'urn:example:params:scim:schemas:extension:notes:2.0:User';
const notesSchema: SchemaDefinition = {
  id: NOTES,
  name: 'Notes',
  description: 'Notes',
  attributes: [attr('note', 'string'), attr('secretNote', 'string', { returned: 'request' })],
};
const registry = new SchemaRegistry({ User: [enterpriseUserSchema, fifteenFiveSchema, notesSchema] });
const userCtx: ProjectionContext = { registry, type: 'User' };
const groupCtx: ProjectionContext = { registry, type: 'Group' };

const storedUser: JsonObject = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, FIFTEEN_FIVE, NOTES],
  id: '2819c223',
  externalId: 'jdoe',
  userName: 'jdoe@acme.example',
  name: { givenName: 'Jane', familyName: 'Doe' },
  active: true,
  password: 't1meMa$heen',
  emails: [
    { value: 'jdoe@acme.example', type: 'work', primary: true },
    { type: 'home', display: 'no value here' },
  ],
  groups: [{ value: 'g1', display: 'Sales' }],
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00.000Z', lastModified: '2024-02-01T00:00:00.000Z', version: 'W/"3"' },
  [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', manager: { value: 'm-1', displayName: 'Boss' } },
  [FIFTEEN_FIVE]: { location: 'Berlin', startDate: '03/01/2024' },
  [NOTES]: { note: 'n', secretNote: 's' },
};

const storedGroup: JsonObject = {
  schemas: [GROUP_SCHEMA],
  id: 'e9e30dba',
  displayName: 'Sales',
  externalId: 'sales',
  members: [{ value: '2819c223', display: 'Jane' }],
  meta: { resourceType: 'Group' },
};

/** storedUser without the attributes a default read never shows (password, returned never; secretNote, request). */
const defaultUser: JsonObject = (() => {
  const { password: _password, ...rest } = structuredClone(storedUser);
  rest[NOTES] = { note: 'n' };
  return rest;
})();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function run(resource: JsonObject, attributes: string | undefined, excluded: string | undefined, ctx = userCtx): JsonObject {
  const a = parseAttributeList(attributes);
  const e = parseAttributeList(excluded, 'excludedAttributes');
  return project(resource, { ...(a ? { attributes: a } : {}), ...(e ? { excludedAttributes: e } : {}) }, ctx);
}

describe('project', () => {
  const without = (...keys: string[]) => {
    const copy = structuredClone(defaultUser);
    for (const k of keys) delete copy[k];
    return copy;
  };
  const rows: { name: string; attributes?: string; excluded?: string; group?: boolean; expected: JsonObject }[] = [
    { name: 'no parameters: default attributes, never password, no request-only ones', expected: defaultUser },
    { name: 'attributes=id (the Entra probe, ENTRA.md #8)', attributes: 'id', expected: { schemas: [USER_SCHEMA], id: '2819c223' } },
    { name: 'attributes=userName keeps id (always)', attributes: 'userName', expected: { schemas: [USER_SCHEMA], id: '2819c223', userName: 'jdoe@acme.example' } },
    { name: 'names match ignoring case', attributes: 'USERNAME,ExternalId', expected: { schemas: [USER_SCHEMA], id: '2819c223', externalId: 'jdoe', userName: 'jdoe@acme.example' } },
    {
      name: 'a core-URN-qualified name',
      attributes: 'urn:ietf:params:scim:schemas:core:2.0:User:userName',
      expected: { schemas: [USER_SCHEMA], id: '2819c223', userName: 'jdoe@acme.example' },
    },
    { name: 'a sub-attribute keeps only that sub-attribute', attributes: 'name.givenName', expected: { schemas: [USER_SCHEMA], id: '2819c223', name: { givenName: 'Jane' } } },
    {
      name: 'a multi-valued sub-attribute: inside every value; a value left empty goes',
      attributes: 'emails.value',
      expected: { schemas: [USER_SCHEMA], id: '2819c223', emails: [{ value: 'jdoe@acme.example' }] },
    },
    { name: 'a complex attribute named whole', attributes: 'name', expected: { schemas: [USER_SCHEMA], id: '2819c223', name: { givenName: 'Jane', familyName: 'Doe' } } },
    { name: 'a meta sub-attribute', attributes: 'meta.lastModified', expected: { schemas: [USER_SCHEMA], id: '2819c223', meta: { lastModified: '2024-02-01T00:00:00.000Z' } } },
    {
      name: 'an extension attribute stays inside its URN object, and its URN in schemas',
      attributes: `${ENTERPRISE_USER_SCHEMA}:manager`,
      expected: { schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], id: '2819c223', [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm-1', displayName: 'Boss' } } },
    },
    {
      name: 'an extension sub-attribute',
      attributes: `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:MANAGER.value`,
      expected: { schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], id: '2819c223', [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm-1' } } },
    },
    {
      name: 'a whole extension URN keeps the whole object',
      attributes: FIFTEEN_FIVE,
      expected: { schemas: [USER_SCHEMA, FIFTEEN_FIVE], id: '2819c223', [FIFTEEN_FIVE]: { location: 'Berlin', startDate: '03/01/2024' } },
    },
    { name: 'password is never returned, even when asked for', attributes: 'password', expected: { schemas: [USER_SCHEMA], id: '2819c223' } },
    { name: 'a request-only attribute when named', attributes: `${NOTES}:secretNote`, expected: { schemas: [USER_SCHEMA, NOTES], id: '2819c223', [NOTES]: { secretNote: 's' } } },
    { name: 'names unknown to the schema are ignored', attributes: 'favoriteColor,name.nick,urn:example:nope:2.0:User:x', expected: { schemas: [USER_SCHEMA], id: '2819c223' } },
    { name: 'excludedAttributes=emails', excluded: 'emails', expected: without('emails') },
    { name: 'id cannot be excluded (always)', excluded: 'id,userName', expected: without('userName') },
    { name: 'schemas cannot be excluded', excluded: 'schemas', expected: defaultUser },
    {
      name: 'excluding a sub-attribute',
      excluded: 'name.givenName,emails.type',
      expected: {
        ...defaultUser,
        name: { familyName: 'Doe' },
        emails: [{ value: 'jdoe@acme.example', primary: true }, { display: 'no value here' }],
      },
    },
    {
      name: 'excluding a whole extension removes its URN from schemas',
      excluded: ENTERPRISE_USER_SCHEMA,
      expected: { ...without(ENTERPRISE_USER_SCHEMA), schemas: [USER_SCHEMA, FIFTEEN_FIVE, NOTES] },
    },
    { name: 'excluding one extension attribute', excluded: `${FIFTEEN_FIVE}:location`, expected: { ...defaultUser, [FIFTEEN_FIVE]: { startDate: '03/01/2024' } } },
    {
      name: 'excluding every attribute of an extension removes the extension',
      excluded: `${FIFTEEN_FIVE}:location,${FIFTEEN_FIVE}:startDate`,
      expected: { ...without(FIFTEEN_FIVE), schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, NOTES] },
    },
    {
      name: 'both parameters: attributes first, then exclusions',
      attributes: 'name,emails',
      excluded: 'name.familyName,emails',
      expected: { schemas: [USER_SCHEMA], id: '2819c223', name: { givenName: 'Jane' } },
    },
    { name: 'group read with excludedAttributes=members (ENTRA.md #14)', group: true, excluded: 'members', expected: { schemas: [GROUP_SCHEMA], id: 'e9e30dba', displayName: 'Sales', externalId: 'sales', meta: { resourceType: 'Group' } } },
    { name: 'group attributes=id', group: true, attributes: 'id', expected: { schemas: [GROUP_SCHEMA], id: 'e9e30dba' } },
    { name: 'group attributes=members.value', group: true, attributes: 'members.value', expected: { schemas: [GROUP_SCHEMA], id: 'e9e30dba', members: [{ value: '2819c223' }] } },
  ];

  it.each(rows)('$name', ({ attributes, excluded, group, expected }) => {
    const input = group ? storedGroup : storedUser;
    const result = run(input, attributes, excluded, group ? groupCtx : userCtx);
    expect(result).toStrictEqual(expected);
    expect(Object.keys(result)[0]).toBe('schemas');
  });

  it('does not modify its input, and shares no objects with it', () => {
    const frozen = deepFreeze(structuredClone(storedUser));
    for (const row of rows.filter((r) => !r.group)) run(frozen, row.attributes, row.excluded);
    expect(frozen).toStrictEqual(storedUser);

    const result = run(storedUser, undefined, undefined);
    (result['name'] as JsonObject)['givenName'] = 'changed';
    (result['emails'] as JsonObject[]).pop();
    expect(storedUser['name']).toStrictEqual({ givenName: 'Jane', familyName: 'Doe' });
    expect(storedUser['emails']).toHaveLength(2);
  });
});

describe('parseAttributeList', () => {
  const rows: { input: unknown; expected: ReturnType<typeof parseAttributeList> }[] = [
    { input: undefined, expected: undefined },
    { input: null, expected: undefined },
    { input: '', expected: undefined },
    { input: ' , ', expected: undefined },
    { input: 'userName', expected: [{ name: 'userName' }] },
    { input: ' userName , name.givenName ', expected: [{ name: 'userName' }, { name: 'name', sub: 'givenName' }] },
    { input: 'members', expected: [{ name: 'members' }] },
    { input: 'emails.$ref', expected: [{ name: 'emails', sub: '$ref' }] },
    {
      input: `${ENTERPRISE_USER_SCHEMA}:manager.value`,
      expected: [{ uri: ENTERPRISE_USER_SCHEMA, name: 'manager', sub: 'value' }],
    },
    // A whole URN splits at its last colon; the registry recognizes it as a schema (extensionSchemaOfPath).
    { input: ENTERPRISE_USER_SCHEMA, expected: [{ uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', name: 'User' }] },
    { input: `${FIFTEEN_FIVE}:startDate`, expected: [{ uri: FIFTEEN_FIVE, name: 'startDate' }] },
    // A repeated query parameter arrives as an array.
    { input: ['id', 'userName,emails'], expected: [{ name: 'id' }, { name: 'userName' }, { name: 'emails' }] },
  ];

  it.each(rows)('$input', ({ input, expected }) => {
    expect(parseAttributeList(input)).toStrictEqual(expected);
  });

  const invalid: unknown[] = [
    'emails[type eq "work"]',
    'emails[type eq "work"].value',
    'name.givenName.x',
    '1userName',
    'user name',
    'name.',
    '.name',
    ':name',
    'urn:x:"a":name',
    'userName;drop',
    42,
    { attributes: 'id' },
    ['id', 3],
    'x'.repeat(20_000),
  ];

  it.each(invalid)('refuses %j with 400 invalidValue', (input) => {
    let error: unknown;
    try {
      parseAttributeList(input, 'excludedAttributes');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    expect((error as ScimError).scimType).toBe('invalidValue');
    expect((error as ScimError).message).toContain('excludedAttributes');
    expect((error as ScimError).message.length).toBeLessThan(300);
  });
});

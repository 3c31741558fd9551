import { describe, expect, it } from 'vitest';
import { ScimError, type ScimType } from '../../src/scim/errors.js';
import { canonicalizeResource, sameResourceValues } from '../../src/scim/resource.js';
import { ENTRA_AD_GROUP_SCHEMA } from '../../src/scim/schemas/core.js';
import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, GROUP_SCHEMA, SchemaRegistry, USER_SCHEMA } from '../../src/scim/schemas/registry.js';
import { attr, type SchemaDefinition } from '../../src/scim/schemas/types.js';
import type { JsonObject } from '../../src/store/types.js';
import { FIFTEEN_FIVE, fifteenFiveSchema } from '../support/schemas.js';

// Not an Entra schema: it exists so that every RFC 7643 type has an attribute to test.
const TYPES = 'urn:example:params:scim:schemas:extension:types:2.0:User';
const typesSchema: SchemaDefinition = {
  id: TYPES,
  name: 'Types',
  description: 'One attribute of each type',
  attributes: [
    attr('hired', 'dateTime'),
    attr('level', 'integer'),
    attr('score', 'decimal'),
    attr('badge', 'binary'),
    attr('tags', 'string', { multiValued: true }),
  ],
};
const registry = new SchemaRegistry({ User: [enterpriseUserSchema, fifteenFiveSchema, typesSchema] });
const user = (body: unknown) => canonicalizeResource(body, { registry, type: 'User' });
const group = (body: unknown) => canonicalizeResource(body, { registry, type: 'Group' });

// Microsoft Learn, "Develop and plan provisioning for a SCIM endpoint", Create User request.
const tutorialCreateUser = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: true,
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
};

// Same tutorial, Create Group request.
const tutorialCreateGroup = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
  externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
  displayName: 'displayName',
  meta: { resourceType: 'Group' },
};

function rejection(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError, got a result');
}

describe('canonicalizeResource: accepted bodies', () => {
  const rows: { name: string; canonicalize: (b: unknown) => JsonObject; input: unknown; expected: JsonObject }[] = [
    {
      name: 'Entra tutorial create user: meta dropped, roles [] dropped, enterprise URN without data left out',
      canonicalize: user,
      input: tutorialCreateUser,
      expected: {
        schemas: [USER_SCHEMA],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      },
    },
    {
      name: 'Entra 15Five mapping: "True" active, extension URNs missing from schemas are added',
      canonicalize: user,
      input: {
        schemas: [USER_SCHEMA],
        userName: 'jdoe@acme.example',
        active: 'True',
        title: 'Engineer',
        externalId: 'jdoe',
        name: { givenName: 'Jane', familyName: 'Doe' },
        emails: [{ type: 'work', value: 'jdoe@acme.example', primary: 'True' }],
        meta: { resourceType: 'User' },
        roles: [],
        [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
        [FIFTEEN_FIVE]: { location: 'Berlin', startDate: '03/01/2024' },
      },
      expected: {
        schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, FIFTEEN_FIVE],
        userName: 'jdoe@acme.example',
        active: true,
        title: 'Engineer',
        externalId: 'jdoe',
        name: { givenName: 'Jane', familyName: 'Doe' },
        emails: [{ type: 'work', value: 'jdoe@acme.example', primary: true }],
        [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
        [FIFTEEN_FIVE]: { location: 'Berlin', startDate: '03/01/2024' },
      },
    },
    {
      name: 'names matched ignoring case, written in schema casing',
      canonicalize: user,
      input: {
        SCHEMAS: ['URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER'],
        USERNAME: 'bob',
        Name: { GIVENNAME: 'Bob' },
        EMAILS: [{ VALUE: 'bob@x.example', Primary: 'false' }],
        ExternalID: 'b-1',
        'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { EmployeeNumber: '7', MANAGER: { Value: 'm-1' } },
      },
      expected: {
        schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        userName: 'bob',
        name: { givenName: 'Bob' },
        emails: [{ value: 'bob@x.example', primary: false }],
        externalId: 'b-1',
        [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '7', manager: { value: 'm-1' } },
      },
    },
    {
      name: 'null, [] and {} are unassigned and dropped; "" strings are kept as sent',
      canonicalize: user,
      input: {
        userName: 'carol',
        title: null,
        displayName: '',
        nickName: '',
        phoneNumbers: [],
        addresses: null,
        name: {},
        emails: [{ value: 'c@x.example', display: null }],
        [ENTERPRISE_USER_SCHEMA]: { department: null, manager: {} },
        [FIFTEEN_FIVE]: null,
      },
      expected: { schemas: [USER_SCHEMA], userName: 'carol', displayName: '', nickName: '', emails: [{ value: 'c@x.example' }] },
    },
    {
      name: 'readOnly attributes (id, meta, groups, manager.displayName) are ignored',
      canonicalize: user,
      input: {
        id: 'client-chosen',
        userName: 'dave',
        meta: { resourceType: 'User', created: 'not even a date' },
        groups: [{ value: 'g1' }],
        [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm-2', displayName: 'Boss' } },
      },
      expected: {
        schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        userName: 'dave',
        [ENTERPRISE_USER_SCHEMA]: { manager: { value: 'm-2' } },
      },
    },
    {
      name: 'schemas may be absent: it is recomputed',
      canonicalize: user,
      input: { userName: 'erin' },
      expected: { schemas: [USER_SCHEMA], userName: 'erin' },
    },
    {
      name: 'every type: dateTime kept exactly as sent, integer, decimal, binary, multi-valued string',
      canonicalize: user,
      input: {
        userName: 'frank',
        [TYPES]: { hired: '2024-02-29T09:30:00.120+01:00', level: 3, score: 4.5, badge: 'aGVsbG8=', tags: ['a', ''] },
      },
      expected: {
        schemas: [USER_SCHEMA, TYPES],
        userName: 'frank',
        [TYPES]: { hired: '2024-02-29T09:30:00.120+01:00', level: 3, score: 4.5, badge: 'aGVsbG8=', tags: ['a', ''] },
      },
    },
    {
      name: 'one primary true among several values is fine',
      canonicalize: user,
      input: { userName: 'gina', emails: [{ value: 'a@x.example', primary: true }, { value: 'b@x.example', primary: 'False' }] },
      expected: {
        schemas: [USER_SCHEMA],
        userName: 'gina',
        emails: [{ value: 'a@x.example', primary: true }, { value: 'b@x.example', primary: false }],
      },
    },
    {
      name: 'Entra tutorial create group: ADSCIM schema and meta dropped',
      canonicalize: group,
      input: tutorialCreateGroup,
      expected: { schemas: [GROUP_SCHEMA], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName' },
    },
    {
      name: 'group members: "$ref": null dropped, other sub-attributes kept',
      canonicalize: group,
      input: {
        schemas: [GROUP_SCHEMA],
        displayName: 'Sales',
        members: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }, { value: 'u-2', display: 'Ann', type: 'User' }],
      },
      expected: {
        schemas: [GROUP_SCHEMA],
        displayName: 'Sales',
        members: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: 'u-2', display: 'Ann', type: 'User' }],
      },
    },
    {
      // RFC 7644 §3.10: an attribute may be written with its schema URN, core attributes too.
      name: 'core attributes written with their URN prefix, and an object keyed by the core URN',
      canonicalize: user,
      input: {
        schemas: [USER_SCHEMA],
        [`${USER_SCHEMA}:userName`]: 'urn@example.com',
        [`${USER_SCHEMA}:name.givenName`]: 'Ann',
        [USER_SCHEMA]: { title: 'Engineer', name: { familyName: 'Lee' } },
        [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]: '42',
      },
      expected: {
        schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        userName: 'urn@example.com',
        name: { givenName: 'Ann', familyName: 'Lee' },
        title: 'Engineer',
        [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '42' },
      },
    },
    {
      name: 'a group displayName written with the core Group URN',
      canonicalize: group,
      input: { schemas: [GROUP_SCHEMA], [`${GROUP_SCHEMA}:displayName`]: 'Sales' },
      expected: { schemas: [GROUP_SCHEMA], displayName: 'Sales' },
    },
  ];

  it.each(rows)('$name', ({ canonicalize, input, expected }) => {
    const result = canonicalize(input);
    expect(result).toStrictEqual(expected);
    // Key order matters to nobody, but `schemas` first reads as the RFC examples do.
    expect(Object.keys(result)[0]).toBe('schemas');
  });

  it('does not modify the body it is given', () => {
    const body = structuredClone(tutorialCreateUser);
    user(body);
    expect(body).toStrictEqual(tutorialCreateUser);
  });
});

describe('canonicalizeResource: rejected bodies', () => {
  const long = 'x'.repeat(64 * 1024 + 1);
  const rows: { name: string; type?: 'Group'; input: unknown; scimType: ScimType; detail: string }[] = [
    { name: 'an array body', input: [], scimType: 'invalidSyntax', detail: 'JSON object' },
    { name: 'a string body', input: 'userName', scimType: 'invalidSyntax', detail: 'JSON object' },
    { name: 'a null body', input: null, scimType: 'invalidSyntax', detail: 'JSON object' },
    { name: 'schemas not an array', input: { schemas: USER_SCHEMA, userName: 'a' }, scimType: 'invalidSyntax', detail: '"schemas"' },
    { name: 'schemas with a non-string', input: { schemas: [USER_SCHEMA, 7], userName: 'a' }, scimType: 'invalidSyntax', detail: '"schemas"' },
    {
      name: 'schemas without the core schema',
      input: { schemas: [ENTERPRISE_USER_SCHEMA], userName: 'a' },
      scimType: 'invalidSyntax',
      detail: USER_SCHEMA,
    },
    {
      name: 'schemas with an undeclared URN',
      input: { schemas: [USER_SCHEMA, 'urn:example:nope:2.0:User'], userName: 'a' },
      scimType: 'invalidSyntax',
      detail: 'urn:example:nope:2.0:User',
    },
    {
      name: "Entra's ADSCIM group schema on a user",
      input: { schemas: [USER_SCHEMA, ENTRA_AD_GROUP_SCHEMA], userName: 'a' },
      scimType: 'invalidSyntax',
      detail: 'ADSCIM',
    },
    {
      name: 'a group body on the user endpoint (core schema of the wrong type)',
      input: { schemas: [GROUP_SCHEMA], displayName: 'g' },
      scimType: 'invalidSyntax',
      detail: GROUP_SCHEMA,
    },
    { name: 'an unknown attribute', input: { userName: 'a', favoriteColor: 'red' }, scimType: 'invalidSyntax', detail: `"favoriteColor" is not defined by schema ${USER_SCHEMA}` },
    { name: 'an unknown URN key', input: { userName: 'a', 'urn:example:nope:2.0:User': { x: 1 } }, scimType: 'invalidSyntax', detail: 'urn:example:nope:2.0:User' },
    { name: 'an unknown extension attribute', input: { userName: 'a', [FIFTEEN_FIVE]: { shoeSize: '9' } }, scimType: 'invalidSyntax', detail: `"shoeSize" is not defined by schema ${FIFTEEN_FIVE}` },
    { name: 'keys differing only by case', input: { userName: 'a', USERNAME: 'b' }, scimType: 'invalidSyntax', detail: 'case-insensitive' },
    { name: 'sub-attribute keys differing only by case', input: { userName: 'a', name: { givenName: 'x', GivenName: 'y' } }, scimType: 'invalidSyntax', detail: 'case-insensitive' },
    { name: 'extension keys differing only by case', input: { userName: 'a', [FIFTEEN_FIVE]: { location: 'x', LOCATION: 'y' } }, scimType: 'invalidSyntax', detail: 'case-insensitive' },
    { name: 'an unknown sub-attribute', input: { userName: 'a', name: { nick: 'x' } }, scimType: 'invalidSyntax', detail: '"nick"' },
    { name: 'a __proto__ key', input: JSON.parse('{"userName":"a","__proto__":{"polluted":true}}'), scimType: 'invalidSyntax', detail: '"__proto__"' },
    { name: 'a __proto__ sub-attribute', input: JSON.parse('{"userName":"a","name":{"__proto__":{"polluted":true}}}'), scimType: 'invalidSyntax', detail: '"__proto__"' },
    { name: 'a constructor key', input: { userName: 'a', constructor: { prototype: { polluted: true } } }, scimType: 'invalidSyntax', detail: '"constructor"' },
    { name: 'userName a number', input: { userName: 42 }, scimType: 'invalidValue', detail: 'userName' },
    { name: 'active "yes"', input: { userName: 'a', active: 'yes' }, scimType: 'invalidValue', detail: 'active must be a boolean' },
    { name: 'active "TRUE" (only True/true/False/false are Entra\'s)', input: { userName: 'a', active: 'TRUE' }, scimType: 'invalidValue', detail: 'active' },
    { name: 'active 1', input: { userName: 'a', active: 1 }, scimType: 'invalidValue', detail: 'active' },
    { name: 'emails an object', input: { userName: 'a', emails: { value: 'a@x.example' } }, scimType: 'invalidValue', detail: 'emails' },
    { name: 'emails[1].primary not boolean', input: { userName: 'a', emails: [{ value: 'x' }, { value: 'y', primary: 'maybe' }] }, scimType: 'invalidValue', detail: 'emails[1].primary' },
    { name: 'two primary emails', input: { userName: 'a', emails: [{ value: 'x', primary: true }, { value: 'y', primary: 'True' }] }, scimType: 'invalidValue', detail: 'more than one primary' },
    { name: 'a null inside a list', input: { userName: 'a', emails: [null] }, scimType: 'invalidValue', detail: 'emails[0]' },
    { name: 'name a string', input: { userName: 'a', name: 'Jane Doe' }, scimType: 'invalidValue', detail: 'name must be an object' },
    { name: 'an extension that is not an object', input: { userName: 'a', [FIFTEEN_FIVE]: 'Berlin' }, scimType: 'invalidValue', detail: FIFTEEN_FIVE },
    { name: 'a bare manager id (the dialect wraps it first)', input: { userName: 'a', [ENTERPRISE_USER_SCHEMA]: { manager: 'm-1' } }, scimType: 'invalidValue', detail: `${ENTERPRISE_USER_SCHEMA}:manager` },
    { name: 'a string over 64 KiB', input: { userName: 'a', title: long }, scimType: 'invalidValue', detail: 'title is longer' },
    { name: 'a list over 100 000 values', input: { userName: 'a', emails: Array.from({ length: 100_001 }, () => ({ value: 'x' })) }, scimType: 'invalidValue', detail: 'more than 100000' },
    { name: 'integer 1.5', input: { userName: 'a', [TYPES]: { level: 1.5 } }, scimType: 'invalidValue', detail: `${TYPES}:level must be an integer` },
    { name: 'integer "3"', input: { userName: 'a', [TYPES]: { level: '3' } }, scimType: 'invalidValue', detail: 'level' },
    { name: 'decimal "4.5"', input: { userName: 'a', [TYPES]: { score: '4.5' } }, scimType: 'invalidValue', detail: 'score' },
    { name: 'dateTime in words', input: { userName: 'a', [TYPES]: { hired: 'yesterday' } }, scimType: 'invalidValue', detail: 'hired' },
    { name: 'dateTime 29 Feb of a common year', input: { userName: 'a', [TYPES]: { hired: '2023-02-29T00:00:00Z' } }, scimType: 'invalidValue', detail: 'hired' },
    { name: 'dateTime month 13', input: { userName: 'a', [TYPES]: { hired: '2024-13-01T00:00:00Z' } }, scimType: 'invalidValue', detail: 'hired' },
    { name: 'dateTime without time', input: { userName: 'a', [TYPES]: { hired: '2024-01-01' } }, scimType: 'invalidValue', detail: 'hired' },
    { name: 'dateTime as a number', input: { userName: 'a', [TYPES]: { hired: 1704067200000 } }, scimType: 'invalidValue', detail: 'hired' },
    { name: 'binary not base64', input: { userName: 'a', [TYPES]: { badge: 'not base64!' } }, scimType: 'invalidValue', detail: 'badge must be base64' },
    { name: 'a multi-valued string list holding an object', input: { userName: 'a', [TYPES]: { tags: [{}] } }, scimType: 'invalidValue', detail: `${TYPES}:tags[0]` },
    { name: 'userName missing', input: { schemas: [USER_SCHEMA], displayName: 'A' }, scimType: 'invalidValue', detail: 'userName is required' },
    { name: 'userName null', input: { userName: null }, scimType: 'invalidValue', detail: 'userName is required' },
    { name: 'userName empty', input: { userName: '' }, scimType: 'invalidValue', detail: 'userName is required' },
    { name: 'userName blank', input: { userName: '  ' }, scimType: 'invalidValue', detail: 'userName is required' },
    { name: 'group displayName missing', type: 'Group', input: { schemas: [GROUP_SCHEMA], externalId: 'g' }, scimType: 'invalidValue', detail: 'displayName is required' },
    { name: 'group member without value', type: 'Group', input: { displayName: 'g', members: [{ value: 'u1' }, { display: 'Ann' }] }, scimType: 'invalidValue', detail: 'members[1].value' },
    { name: 'group member {}', type: 'Group', input: { displayName: 'g', members: [{}] }, scimType: 'invalidValue', detail: 'members[0].value' },
    { name: 'group member value null', type: 'Group', input: { displayName: 'g', members: [{ value: null }] }, scimType: 'invalidValue', detail: 'members[0].value' },
    { name: 'group member a bare id', type: 'Group', input: { displayName: 'g', members: ['u1'] }, scimType: 'invalidValue', detail: 'members[0]' },
    { name: 'group member value a number', type: 'Group', input: { displayName: 'g', members: [{ value: 5 }] }, scimType: 'invalidValue', detail: 'members[0].value' },
    { name: 'an attribute given plainly and with its URN', input: { userName: 'a', [`${USER_SCHEMA}:userName`]: 'b' }, scimType: 'invalidSyntax', detail: 'twice' },
    { name: 'an attribute given plainly and inside the core URN object', input: { userName: 'a', [USER_SCHEMA]: { userName: 'b' } }, scimType: 'invalidSyntax', detail: 'twice' },
    { name: 'an unknown attribute with the core URN', input: { userName: 'a', [`${USER_SCHEMA}:shoeSize`]: 9 }, scimType: 'invalidSyntax', detail: 'shoeSize' },
    { name: 'the core URN keying a string', input: { userName: 'a', [USER_SCHEMA]: 'x' }, scimType: 'invalidValue', detail: USER_SCHEMA },
    { name: 'a user attribute on a group', type: 'Group', input: { displayName: 'g', userName: 'u' }, scimType: 'invalidSyntax', detail: '"userName"' },
  ];

  it.each(rows)('$name → 400 $scimType', ({ type, input, scimType, detail }) => {
    const error = rejection(() => (type === 'Group' ? group(input) : user(input)));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
    expect(error.message).toContain(detail);
  });

  it('never pollutes Object.prototype', () => {
    for (const text of ['{"userName":"a","__proto__":{"polluted":1}}', '{"userName":"a","name":{"__proto__":{"polluted":1}}}']) {
      rejection(() => user(JSON.parse(text)));
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers hostile shapes with a ScimError, never a crash', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const hostile: unknown[] = [
      undefined,
      0,
      true,
      new Date(),
      { userName: deep },
      { userName: 'a', emails: deep },
      { userName: 'a', name: deep },
      { userName: 'a', [ENTERPRISE_USER_SCHEMA]: deep },
      { userName: 'a', emails: [[{ value: 'x' }]] },
      { userName: 'a', schemas: deep },
      { userName: 'a', ['k'.repeat(1_000_000)]: 1 },
    ];
    for (const body of hostile) {
      const error = rejection(() => user(body));
      expect(error.status).toBe(400);
      expect(error.message.length).toBeLessThan(400);
    }
  });
});

describe('sameResourceValues', () => {
  const rows: { name: string; a: JsonObject; b: JsonObject; same: boolean }[] = [
    { name: 'identical', a: { userName: 'a', emails: [{ value: 'x' }] }, b: { userName: 'a', emails: [{ value: 'x' }] }, same: true },
    { name: 'key order ignored', a: { userName: 'a', active: true }, b: { active: true, userName: 'a' }, same: true },
    { name: 'nested key order ignored', a: { name: { givenName: 'A', familyName: 'B' } }, b: { name: { familyName: 'B', givenName: 'A' } }, same: true },
    { name: 'a changed value', a: { userName: 'a' }, b: { userName: 'b' }, same: false },
    { name: 'a value of another type', a: { active: true }, b: { active: 'True' }, same: false },
    { name: 'an extra key', a: { userName: 'a' }, b: { userName: 'a', title: 'x' }, same: false },
    { name: 'array order matters', a: { tags: ['a', 'b'] }, b: { tags: ['b', 'a'] }, same: false },
    { name: 'array length', a: { tags: ['a'] }, b: { tags: ['a', 'a'] }, same: false },
    { name: 'array against object', a: { v: [] }, b: { v: {} }, same: false },
    { name: 'null against missing', a: { v: null }, b: { w: null }, same: false },
    { name: 'deep difference', a: { x: { y: [{ z: 1 }] } }, b: { x: { y: [{ z: 2 }] } }, same: false },
  ];

  it.each(rows)('$name', ({ a, b, same }) => {
    expect(sameResourceValues(a, b)).toBe(same);
    expect(sameResourceValues(b, a)).toBe(same);
  });

  it('compares deeply nested values without exhausting the stack', () => {
    const nest = (leaf: number) => {
      let v: unknown = leaf;
      for (let i = 0; i < 200_000; i++) v = { v };
      return { v } as JsonObject;
    };
    expect(sameResourceValues(nest(1), nest(1))).toBe(true);
    expect(sameResourceValues(nest(1), nest(2))).toBe(false);
  });
});

describe('dateTime values (xsd:dateTime, kept exactly as sent)', () => {
  const hired = (value: string) => () => user({ userName: 'a', [TYPES]: { hired: value } });
  it.each(['2008-01-23T04:56:22Z', '2024-02-29T00:00:00', '2000-02-29T23:59:59.999999-05:00', '2024-12-31T24:00:00Z', '2024-06-01T12:00:00+14:00'])(
    'accepts %s',
    (value) => {
      expect(hired(value)()[TYPES]).toStrictEqual({ hired: value });
    },
  );
  it.each([
    '1900-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-01-01T25:00:00Z',
    '2024-01-01T24:00:01Z',
    '2024-01-01T00:60:00Z',
    '2024-01-01T00:00:60Z',
    '2024-01-01T00:00:00+15:00',
    '2024-01-01 00:00:00Z',
    '2024-1-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '2024-01-01T00:00:00.Z',
    '',
  ])('refuses %j with 400 invalidValue', (value) => {
    const error = rejection(hired(value));
    expect([error.status, error.scimType]).toStrictEqual([400, 'invalidValue']);
  });
});

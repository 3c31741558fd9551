import { describe, expect, it } from 'vitest';
import { entraDialect, MAX_NORMALIZED_OPERATIONS } from '../../src/dialect/entra.js';
import { strictDialect } from '../../src/dialect/strict.js';
import type { DialectContext, PatchOperation } from '../../src/dialect/types.js';
import type { ScimType } from '../../src/scim/errors.js';
import { parsePatchPath } from '../../src/scim/filter/index.js';
import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, GROUP_SCHEMA, SchemaRegistry, USER_SCHEMA } from '../../src/scim/schemas/registry.js';
import { FIFTEEN_FIVE, fifteenFiveSchema } from '../support/schemas.js';
import { scimErrorOf } from '../support/scim-error.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = ENTERPRISE_USER_SCHEMA;
const registry = new SchemaRegistry({ User: [enterpriseUserSchema, fifteenFiveSchema] });
const user: DialectContext = { registry, type: 'User' };
const group: DialectContext = { registry, type: 'Group' };

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

interface PatchRow {
  name: string;
  ctx?: DialectContext;
  body: unknown;
  expected: PatchOperation[];
}

describe('entraDialect.normalizePatch: Microsoft request shapes', () => {
  const rows: PatchRow[] = [
    {
      // Tutorial "Update User [Multi-valued properties]" (use-scim-to-provision-users-and-groups, request-4).
      name: 'Update User [Multi-valued properties]',
      body: patch(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ),
      expected: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    },
    {
      // Tutorial "Update User [Single-valued properties]" (request-5).
      name: 'Update User [Single-valued properties]',
      body: patch({ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }),
      expected: [{ op: 'replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }],
    },
    {
      // Tutorial "Disable User" (request-14): Operations before schemas, a real boolean.
      name: 'Disable User',
      body: { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: [PATCH_OP] },
      expected: [{ op: 'replace', path: 'active', value: false }],
    },
    {
      // Known issues, "Requests made to disable users", without aadOptscim062020: "False" as a string (ENTRA #10).
      name: 'disable without the flag: "False" becomes false',
      body: patch({ op: 'Replace', path: 'active', value: 'False' }),
      expected: [{ op: 'replace', path: 'active', value: false }],
    },
    {
      // Known issues, "Requests made to disable users", with aadOptscim062020.
      name: 'disable with the flag',
      body: patch({ op: 'replace', path: 'active', value: false }),
      expected: [{ op: 'replace', path: 'active', value: false }],
    },
    {
      name: '"True" on a boolean sub-attribute behind a filter is coerced too',
      body: patch({ op: 'Replace', path: 'emails[type eq "work"].primary', value: 'True' }),
      expected: [{ op: 'replace', path: 'emails[type eq "work"].primary', value: true }],
    },
    {
      name: '"False" on a string attribute stays a string',
      body: patch({ op: 'Replace', path: 'title', value: 'False' }),
      expected: [{ op: 'replace', path: 'title', value: 'False' }],
    },
    {
      // Known issues, "Requests made to add a single-value string attribute", without the flag.
      name: 'add a single-value string attribute without the flag',
      body: patch({ op: 'Add', path: 'nickName', value: 'Babs' }),
      expected: [{ op: 'add', path: 'nickName', value: 'Babs' }],
    },
    {
      // Known issues, same request with aadOptscim062020.
      name: 'add a single-value string attribute with the flag',
      body: patch({ op: 'add', path: 'nickName', value: 'Babs' }),
      expected: [{ op: 'add', path: 'nickName', value: 'Babs' }],
    },
    {
      // Known issues, "Requests to replace multiple attributes", without the flag.
      name: 'replace multiple attributes without the flag',
      body: patch(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: `${ENT}:employeeNumber`, value: 'Eqpj' },
      ),
      expected: [
        { op: 'replace', path: 'displayName', value: 'Pvlo' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'replace', path: 'externalId', value: 'Eqpj' },
        { op: 'replace', path: `${ENT}:employeeNumber`, value: 'Eqpj' },
      ],
    },
    {
      // Known issues, "Requests to replace multiple attributes", with aadOptscim062020: dotted and URN keys (ENTRA #11).
      name: 'replace multiple attributes with the flag: path-keyed value split',
      body: patch(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            [`${ENT}:employeeNumber`]: 'Aklq',
          },
        },
      ),
      expected: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        { op: 'replace', value: { displayName: 'Bjfe' } },
        { op: 'replace', path: 'name.givenName', value: 'Kkom' },
        { op: 'replace', path: 'name.familyName', value: 'Unua' },
        { op: 'replace', path: `${ENT}:employeeNumber`, value: 'Aklq' },
      ],
    },
    {
      // 15Five gallery mapping (DESIGN.md): custom-extension attributes as URN keys of a path-less replace.
      name: 'path-less replace with 15Five extension keys only',
      body: patch({ op: 'replace', value: { [`${FIFTEEN_FIVE}:startDate`]: '2024-01-15', [`${FIFTEEN_FIVE}:location`]: 'Oslo' } }),
      expected: [
        { op: 'replace', path: `${FIFTEEN_FIVE}:startDate`, value: '2024-01-15' },
        { op: 'replace', path: `${FIFTEEN_FIVE}:location`, value: 'Oslo' },
      ],
    },
    {
      name: 'path-less value keyed by a whole extension stays one operation',
      body: patch({ op: 'Add', value: { [ENT]: { department: 'R&D' }, title: 'CTO' } }),
      expected: [{ op: 'add', value: { [ENT]: { department: 'R&D' }, title: 'CTO' } }],
    },
    {
      // Known issues, "Requests made to remove a group member", without the flag (ENTRA #12).
      name: 'remove a group member without the flag',
      ctx: group,
      body: patch({ op: 'Remove', path: 'members', value: [{ value: 'u1091' }] }),
      expected: [{ op: 'remove', path: 'members[value eq "u1091"]' }],
    },
    {
      // Known issues, same request with aadOptscim062020.
      name: 'remove a group member with the flag',
      ctx: group,
      body: patch({ op: 'remove', path: 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]' }),
      expected: [{ op: 'remove', path: 'members[value eq "7f4bc1a3-285e-48ae-8202-5accb43efb0e"]' }],
    },
    {
      // Tutorial "Update Group [Non-member attributes]" (request-10).
      name: 'Update Group [Non-member attributes]',
      ctx: group,
      body: patch({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }),
      expected: [{ op: 'replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }],
    },
    {
      // Tutorial "Update Group [Add Members]" (request-11): "$ref": null (ENTRA #13).
      name: 'Update Group [Add Members]',
      ctx: group,
      body: patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }),
      expected: [{ op: 'add', path: 'members', value: [{ value: 'f648f8d5ea4e4cd38e9c' }] }],
    },
    {
      // Tutorial "Update Group [Remove Members]" (request-12).
      name: 'Update Group [Remove Members]',
      ctx: group,
      body: patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }),
      expected: [{ op: 'remove', path: 'members[value eq "f648f8d5ea4e4cd38e9c"]' }],
    },
    {
      name: 'several members removed by value become one filter each',
      ctx: group,
      body: patch({ op: 'Remove', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }),
      expected: [
        { op: 'remove', path: 'members[value eq "a"]' },
        { op: 'remove', path: 'members[value eq "b"]' },
      ],
    },
    {
      name: 'a member given as a bare object is removed alone',
      ctx: group,
      body: patch({ op: 'Remove', path: 'members', value: { value: 'c' } }),
      expected: [{ op: 'remove', path: 'members[value eq "c"]' }],
    },
    {
      name: 'remove members with value null is the RFC remove of the attribute',
      ctx: group,
      body: patch({ op: 'Remove', path: 'members', value: null }),
      expected: [{ op: 'remove', path: 'members', value: null }],
    },
    {
      name: 'an empty removal list removes nothing (never "all members")',
      ctx: group,
      body: patch({ op: 'Remove', path: 'members', value: [] }),
      expected: [],
    },
    {
      // Tutorial "Example 5. Request from Microsoft Entra ID to an SCIM endpoint to update a user" (ENTRA #7).
      name: 'Update Manager: Add with a [{$ref, value}] list',
      body: patch({
        op: 'Add',
        path: 'manager',
        value: [{ $ref: 'http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' }],
      }),
      // `manager` is qualified with the one extension that declares it; the element is kept, `$ref` too.
      expected: [
        {
          op: 'add',
          path: `${ENT}:manager`,
          value: { $ref: 'http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' },
        },
      ],
    },
    {
      // ENTRA #5: a bare id on the URN manager path.
      name: 'manager as a bare id on the URN path',
      body: patch({ op: 'Replace', path: `${ENT}:manager`, value: 'boss-2' }),
      expected: [{ op: 'replace', path: `${ENT}:manager`, value: { value: 'boss-2' } }],
    },
    {
      // ENTRA #7 / #18: the gallery validator clears the manager with "".
      name: 'manager replaced with "" is removed',
      body: patch({ op: 'replace', path: `${ENT}:manager`, value: '' }),
      expected: [{ op: 'remove', path: `${ENT}:manager` }],
    },
    {
      // ENTRA #18: ... and with null.
      name: 'manager replaced with null is removed',
      body: patch({ op: 'Replace', path: 'manager', value: null }),
      expected: [{ op: 'remove', path: `${ENT}:manager` }],
    },
    {
      name: 'manager replaced with {"value": ""} is removed',
      body: patch({ op: 'Replace', path: 'manager', value: { value: '' } }),
      expected: [{ op: 'remove', path: `${ENT}:manager` }],
    },
    {
      // ENTRA #7: `Remove` on the URN path, carrying the old manager as value.
      name: 'Remove on the URN manager path drops the value',
      body: patch({ op: 'Remove', path: `${ENT}:manager`, value: [{ value: 'boss-1' }] }),
      expected: [{ op: 'remove', path: `${ENT}:manager` }],
    },
    {
      // ENTRA #7: `remove` with `manager[value eq "id"]`; only the attribute gets its URN.
      name: 'remove manager[value eq "id"] is qualified',
      body: patch({ op: 'Remove', path: 'manager[value eq "boss-1"]' }),
      expected: [{ op: 'remove', path: `${ENT}:manager[value eq "boss-1"]` }],
    },
    {
      name: 'an unqualified extension attribute in a path-less value is split and qualified',
      body: patch({ op: 'Replace', value: { department: 'Ops', title: 'Lead', startDate: '2024-02-01' } }),
      expected: [
        { op: 'replace', value: { title: 'Lead' } },
        { op: 'replace', path: `${ENT}:department`, value: 'Ops' },
        { op: 'replace', path: `${FIFTEEN_FIVE}:startDate`, value: '2024-02-01' },
      ],
    },
    {
      // ENTRA #5 + #11: the manager URN key in a path-less replace.
      name: 'path-less replace with a URN manager key and a bare id',
      body: patch({ op: 'replace', value: { [`${ENT}:manager`]: 'boss-3' } }),
      expected: [{ op: 'replace', path: `${ENT}:manager`, value: { value: 'boss-3' } }],
    },
    {
      // ENTRA #5 inside a URN-keyed extension object; "" there unassigns.
      name: 'bare manager id inside a URN-keyed object',
      body: patch(
        { op: 'add', value: { [ENT]: { manager: 'boss-4', department: 'Ops' } } },
        { op: 'replace', path: ENT, value: { manager: '' } },
      ),
      expected: [
        { op: 'add', value: { [ENT]: { manager: { value: 'boss-4' }, department: 'Ops' } } },
        { op: 'replace', path: ENT, value: { manager: null } },
      ],
    },
    {
      // ENTRA #18: any null replace unassigns; as a path-less key it splits like any dotted key.
      name: 'null replaces become removes',
      body: patch({ op: 'Replace', path: 'title', value: null }, { op: 'replace', value: { 'name.middleName': null } }),
      expected: [
        { op: 'remove', path: 'title' },
        { op: 'remove', path: 'name.middleName' },
      ],
    },
    {
      name: 'unparseable and unknown paths pass through for the engine to reject',
      body: patch({ op: 'Replace', path: 'emails[type eq', value: 'x' }, { op: 'Add', path: 'shoeSize', value: 'False' }),
      expected: [
        { op: 'replace', path: 'emails[type eq', value: 'x' },
        { op: 'add', path: 'shoeSize', value: 'False' },
      ],
    },
  ];

  it.each(rows)('$name', ({ ctx, body, expected }) => {
    expect(entraDialect.normalizePatch(body, ctx ?? user)).toStrictEqual(expected);
  });

  it('JSON-escapes member ids into the filter, so they parse back exactly', () => {
    const id = 'we"ird\\id\u2028 ] or value pr';
    const [op] = entraDialect.normalizePatch(patch({ op: 'Remove', path: 'members', value: [{ value: id }] }), group);
    expect(op?.path).toBe(`members[value eq ${JSON.stringify(id)}]`);
    const parsed = parsePatchPath(op!.path!);
    expect(parsed.filter).toEqual({ kind: 'compare', path: { name: 'value' }, op: 'eq', value: id });
  });

  it('bounds the operations a member list can expand to', () => {
    const value = Array.from({ length: MAX_NORMALIZED_OPERATIONS + 1 }, (_, i) => ({ value: `m${i}` }));
    const err = scimErrorOf(() => entraDialect.normalizePatch(patch({ op: 'Remove', path: 'members', value }), group));
    expect([err.status, err.scimType]).toEqual([400, 'invalidSyntax']);
  });

  it('keeps a hostile __proto__ key as plain data and pollutes nothing', () => {
    const body: unknown = JSON.parse(
      `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"Replace","value":{"__proto__":{"polluted":true},"title":"x"}}]}`,
    );
    const [op] = entraDialect.normalizePatch(body, user);
    const value = op?.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'title']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('PatchOp envelope errors (both dialects)', () => {
  const rows: { name: string; body: unknown; scimType: ScimType }[] = [
    { name: 'body not an object', body: [], scimType: 'invalidSyntax' },
    { name: 'body null', body: null, scimType: 'invalidSyntax' },
    { name: 'schemas missing', body: { Operations: [{ op: 'add', path: 'title', value: 'x' }] }, scimType: 'invalidSyntax' },
    { name: 'schemas without PatchOp', body: { schemas: [USER_SCHEMA], Operations: [{ op: 'add', path: 'title', value: 'x' }] }, scimType: 'invalidSyntax' },
    { name: 'schemas a string', body: { schemas: PATCH_OP, Operations: [{ op: 'add', path: 'title', value: 'x' }] }, scimType: 'invalidSyntax' },
    { name: 'Operations missing', body: { schemas: [PATCH_OP] }, scimType: 'invalidSyntax' },
    { name: 'Operations empty', body: patch(), scimType: 'invalidSyntax' },
    { name: 'Operations an object', body: { schemas: [PATCH_OP], Operations: { op: 'add' } }, scimType: 'invalidSyntax' },
    { name: 'more than 1000 operations', body: patch(...Array.from({ length: 1001 }, () => ({ op: 'add', path: 'title', value: 'x' }))), scimType: 'invalidSyntax' },
    { name: 'an operation not an object', body: patch('add'), scimType: 'invalidSyntax' },
    { name: 'unknown op', body: patch({ op: 'Patch', path: 'title', value: 'x' }), scimType: 'invalidSyntax' },
    { name: 'op missing', body: patch({ path: 'title', value: 'x' }), scimType: 'invalidSyntax' },
    { name: 'op not a string', body: patch({ op: 1, path: 'title', value: 'x' }), scimType: 'invalidSyntax' },
    { name: 'add without value', body: patch({ op: 'Add', path: 'title' }), scimType: 'invalidSyntax' },
    { name: 'path not a string', body: patch({ op: 'Add', path: 3, value: 'x' }), scimType: 'invalidPath' },
    { name: 'path empty', body: patch({ op: 'Add', path: ' ', value: 'x' }), scimType: 'invalidPath' },
  ];
  for (const dialect of [entraDialect, strictDialect]) {
    it.each(rows)(`${dialect.name}: $name`, ({ body, scimType }) => {
      const err = scimErrorOf(() => dialect.normalizePatch(body, user));
      expect([err.status, err.scimType]).toEqual([400, scimType]);
    });
  }

  it('entra: a manager list of two is invalidValue', () => {
    const err = scimErrorOf(() => entraDialect.normalizePatch(patch({ op: 'Add', path: 'manager', value: [{ value: 'a' }, { value: 'b' }] }), user));
    expect([err.status, err.scimType]).toEqual([400, 'invalidValue']);
  });

  it('entra: a member removal entry without a value is invalidValue', () => {
    const err = scimErrorOf(() => entraDialect.normalizePatch(patch({ op: 'Remove', path: 'members', value: [{ display: 'x' }] }), group));
    expect([err.status, err.scimType]).toEqual([400, 'invalidValue']);
  });
});

describe('strictDialect', () => {
  it('lowercases op, keeps everything else as sent', () => {
    const body = patch({ op: 'Replace', path: 'active', value: 'False' }, { Op: 'remove', Path: 'members', value: [{ value: 'u1' }] });
    expect(strictDialect.normalizePatch(body, user)).toStrictEqual([
      { op: 'replace', path: 'active', value: 'False' },
      { op: 'remove', path: 'members', value: [{ value: 'u1' }] },
    ]);
  });

  it('passes resource bodies unchanged', () => {
    const body = { schemas: [USER_SCHEMA], userName: 'x', [ENT]: { manager: 'boss' } };
    expect(strictDialect.normalizeResource(body, user)).toBe(body);
  });
});

describe('entraDialect.normalizeResource', () => {
  const rows: { name: string; ctx?: DialectContext; body: unknown; expected: unknown }[] = [
    {
      // Tutorial "Design your user and group schema" sample: manager as a bare id, a custom extension (ENTRA #4, #5).
      name: 'schema sample: bare manager id, unknown custom extension kept',
      body: {
        schemas: [USER_SCHEMA, ENT, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'],
        userName: 'bjensen@testuser.com',
        externalId: 'bjensen',
        name: { familyName: 'Jensen', givenName: 'Barbara' },
        [ENT]: { manager: '123456' },
        'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { tag: '701984' },
      },
      expected: {
        schemas: [USER_SCHEMA, ENT, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'],
        userName: 'bjensen@testuser.com',
        externalId: 'bjensen',
        name: { familyName: 'Jensen', givenName: 'Barbara' },
        [ENT]: { manager: { value: '123456' } },
        'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { tag: '701984' },
      },
    },
    {
      // ENTRA #4: extension data whose URN is missing from `schemas` is kept as it is.
      name: '15Five data under a URN missing from schemas',
      body: { schemas: [USER_SCHEMA], userName: 'a', [FIFTEEN_FIVE]: { startDate: '01/15/2024' } },
      expected: { schemas: [USER_SCHEMA], userName: 'a', [FIFTEEN_FIVE]: { startDate: '01/15/2024' } },
    },
    {
      name: 'an empty manager id is dropped; {value} forms stay',
      body: { userName: 'a', [ENT]: { manager: '', department: 'x' } },
      expected: { userName: 'a', [ENT]: { department: 'x' } },
    },
    {
      // Tutorial "Create User" (request): meta and roles: [] are left for the validator (ENTRA #3).
      name: 'Create User passes unchanged',
      body: {
        schemas: [USER_SCHEMA, ENT],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      },
      expected: {
        schemas: [USER_SCHEMA, ENT],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      },
    },
    {
      // Tutorial "Create Group" (request-7) plus members carrying "$ref": null (ENTRA #13).
      name: 'group create: ADSCIM schema kept, "$ref": null dropped',
      ctx: group,
      body: {
        schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
        members: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }, { $ref: 'https://x/Users/1', value: '1' }],
      },
      expected: {
        schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
        members: [{ value: 'f648f8d5ea4e4cd38e9c' }, { $ref: 'https://x/Users/1', value: '1' }],
      },
    },
    {
      // Tutorial "Example 2. Provision a user": enterprise attributes at the top level.
      name: 'top-level manager/department move under the enterprise URN',
      body: { userName: 'jyoung@testuser.com', department: null, manager: 'boss', [ENT]: { employeeNumber: '7' } },
      expected: { userName: 'jyoung@testuser.com', [ENT]: { employeeNumber: '7', department: null, manager: { value: 'boss' } } },
    },
    { name: 'a non-object body is returned for the validator to reject', body: 'nope', expected: 'nope' },
  ];

  it.each(rows)('$name', ({ ctx, body, expected }) => {
    const snapshot = structuredClone(body);
    expect(entraDialect.normalizeResource(body, ctx ?? user)).toStrictEqual(expected);
    expect(body).toStrictEqual(snapshot); // the input is not modified
  });
});

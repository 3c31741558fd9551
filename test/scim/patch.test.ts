import { describe, expect, it } from 'vitest';
import { entraDialect } from '../../src/dialect/entra.js';
import { strictDialect } from '../../src/dialect/strict.js';
import type { Dialect } from '../../src/dialect/types.js';
import type { ScimType } from '../../src/scim/errors.js';
import { applyPatch, type JsonObject, type PatchOperation } from '../../src/scim/patch.js';
import { ENTERPRISE_USER_SCHEMA, enterpriseUserSchema, GROUP_SCHEMA, SchemaRegistry, USER_SCHEMA, type ResourceTypeName } from '../../src/scim/schemas/registry.js';
import { FIFTEEN_FIVE, fifteenFiveSchema } from '../support/schemas.js';
import { scimErrorOf } from '../support/scim-error.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = ENTERPRISE_USER_SCHEMA;
const registry = new SchemaRegistry({ User: [enterpriseUserSchema, fifteenFiveSchema] });

const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** What the service does: the dialect turns the raw body into operations, the engine applies them. */
function run(resource: JsonObject, body: unknown, type: ResourceTypeName = 'User', dialect: Dialect = entraDialect): JsonObject {
  const ctx = { registry, type };
  return applyPatch(resource, dialect.normalizePatch(body, ctx), ctx);
}

// Frozen: any write to the input would throw, so every row also proves the engine never mutates it.
const user = deepFreeze({
  schemas: [USER_SCHEMA],
  id: '6764549bef60420686bc',
  externalId: '6c75de36-30fa-4d2d-a196-6bdcdb6b6539',
  meta: { resourceType: 'User', created: '2018-03-27T19:59:26.000Z', lastModified: '2018-03-27T19:59:26.000Z' },
  userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  active: true,
  emails: [{ value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com', type: 'work', primary: true }],
}) as JsonObject;

const withManager = deepFreeze({
  ...user,
  schemas: [USER_SCHEMA, ENT],
  [ENT]: { manager: { value: 'boss-1' } },
}) as JsonObject;

const groupResource = deepFreeze({
  schemas: [GROUP_SCHEMA],
  id: 'a99962b9f99d4c4fac67',
  externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
  displayName: 'displayName',
  members: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: 'u1091', display: 'U' }],
}) as JsonObject;

const emptyGroup = deepFreeze({ schemas: [GROUP_SCHEMA], id: 'g2', displayName: 'Empty' }) as JsonObject;

/** The user with some attributes changed (undefined deletes). */
function userWith(changes: JsonObject, base: JsonObject = user): JsonObject {
  const out: JsonObject = { ...structuredClone(base), ...changes };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

interface Row {
  name: string;
  resource: JsonObject;
  type?: ResourceTypeName;
  dialect?: Dialect;
  body: unknown;
  expected: JsonObject;
}

describe('applyPatch: Microsoft Entra requests (tutorial and known-issues samples)', () => {
  const rows: Row[] = [
    {
      // use-scim-to-provision-users-and-groups, "Update User [Multi-valued properties]" (request-4). The sample response
      // also recomputes name.formatted; values are stored as sent here, so formatted stays.
      name: 'Update User [Multi-valued properties]',
      resource: user,
      body: patch(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ),
      expected: userWith({
        emails: [{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }],
        name: { formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' },
      }),
    },
    {
      // Tutorial "Update User [Single-valued properties]" (request-5).
      name: 'Update User [Single-valued properties]',
      resource: user,
      body: patch({ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }),
      expected: userWith({ userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }),
    },
    {
      // Tutorial "Disable User" (request-14).
      name: 'Disable User',
      resource: user,
      body: { Operations: [{ op: 'Replace', path: 'active', value: false }], schemas: [PATCH_OP] },
      expected: userWith({ active: false }),
    },
    {
      // application-provisioning-config-problem-scim-compatibility: disable users, without aadOptscim062020.
      name: 'known issues: disable without the flag ("False")',
      resource: user,
      body: patch({ op: 'Replace', path: 'active', value: 'False' }),
      expected: userWith({ active: false }),
    },
    {
      // Known issues: disable users, with aadOptscim062020.
      name: 'known issues: disable with the flag',
      resource: user,
      body: patch({ op: 'replace', path: 'active', value: false }),
      expected: userWith({ active: false }),
    },
    {
      // Known issues: add a single-value string attribute, without the flag.
      name: 'known issues: Add nickName without the flag',
      resource: user,
      body: patch({ op: 'Add', path: 'nickName', value: 'Babs' }),
      expected: userWith({ nickName: 'Babs' }),
    },
    {
      // Known issues: add a single-value string attribute, with the flag.
      name: 'known issues: add nickName with the flag',
      resource: user,
      body: patch({ op: 'add', path: 'nickName', value: 'Babs' }),
      expected: userWith({ nickName: 'Babs' }),
    },
    {
      // Known issues: replace multiple attributes, without the flag.
      name: 'known issues: replace multiple attributes without the flag',
      resource: user,
      body: patch(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: `${ENT}:employeeNumber`, value: 'Eqpj' },
      ),
      expected: userWith({
        schemas: [USER_SCHEMA, ENT],
        displayName: 'Pvlo',
        emails: [{ value: 'TestBcwqnm@test.microsoft.com', type: 'work', primary: true }],
        name: { formatted: 'givenName familyName', familyName: 'Pkqf', givenName: 'Gtfd' },
        externalId: 'Eqpj',
        [ENT]: { employeeNumber: 'Eqpj' },
      }),
    },
    {
      // Known issues: replace multiple attributes, with the flag (path-less value keyed by paths).
      name: 'known issues: replace multiple attributes with the flag',
      resource: user,
      body: patch(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENT}:employeeNumber`]: 'Aklq' },
        },
      ),
      expected: userWith({
        schemas: [USER_SCHEMA, ENT],
        displayName: 'Bjfe',
        emails: [{ value: 'TestMhvaes@test.microsoft.com', type: 'work', primary: true }],
        name: { formatted: 'givenName familyName', familyName: 'Unua', givenName: 'Kkom' },
        [ENT]: { employeeNumber: 'Aklq' },
      }),
    },
    {
      // Known issues: remove a group member, without the flag.
      name: 'known issues: remove a group member without the flag',
      resource: groupResource,
      type: 'Group',
      body: patch({ op: 'Remove', path: 'members', value: [{ value: 'u1091' }] }),
      expected: { ...structuredClone(groupResource), members: [{ value: 'f648f8d5ea4e4cd38e9c' }] },
    },
    {
      // Known issues: remove a group member, with the flag.
      name: 'known issues: remove a group member with the flag',
      resource: groupResource,
      type: 'Group',
      body: patch({ op: 'remove', path: 'members[value eq "u1091"]' }),
      expected: { ...structuredClone(groupResource), members: [{ value: 'f648f8d5ea4e4cd38e9c' }] },
    },
    {
      // Tutorial "Update Group [Non-member attributes]" (request-10).
      name: 'Update Group [Non-member attributes]',
      resource: groupResource,
      type: 'Group',
      body: patch({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }),
      expected: { ...structuredClone(groupResource), displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' },
    },
    {
      // Tutorial "Update Group [Add Members]" (request-11): groups are created with no members.
      name: 'Update Group [Add Members]',
      resource: emptyGroup,
      type: 'Group',
      body: patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }),
      expected: { schemas: [GROUP_SCHEMA], id: 'g2', displayName: 'Empty', members: [{ value: 'f648f8d5ea4e4cd38e9c' }] },
    },
    {
      name: 'adding a member already present (by value) lists it once',
      resource: groupResource,
      type: 'Group',
      body: patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1091' }, { value: 'new' }] }),
      expected: { ...structuredClone(groupResource), members: [...structuredClone(groupResource['members'] as unknown[]), { value: 'new' }] },
    },
    {
      // Tutorial "Update Group [Remove Members]" (request-12).
      name: 'Update Group [Remove Members]',
      resource: groupResource,
      type: 'Group',
      body: patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }),
      expected: { ...structuredClone(groupResource), members: [{ value: 'u1091', display: 'U' }] },
    },
    {
      name: 'removing the last members drops the attribute',
      resource: groupResource,
      type: 'Group',
      body: patch({ op: 'Remove', path: 'members', value: [{ value: 'f648f8d5ea4e4cd38e9c' }, { value: 'u1091' }] }),
      expected: { schemas: [GROUP_SCHEMA], id: 'a99962b9f99d4c4fac67', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName' },
    },
    {
      name: 'removing a member that is already gone is a no-op',
      resource: groupResource,
      type: 'Group',
      body: patch({ op: 'Remove', path: 'members', value: [{ value: 'gone' }] }),
      expected: structuredClone(groupResource),
    },
    {
      // Tutorial "Example 5": Add manager as a [{$ref, value}] list on the unqualified path.
      name: 'Update Manager (Example 5)',
      resource: user,
      body: patch({
        op: 'Add',
        path: 'manager',
        value: [{ $ref: 'http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' }],
      }),
      // The element is kept as sent, its `$ref` too (readWrite, RFC 7643 §4.3).
      expected: userWith({
        schemas: [USER_SCHEMA, ENT],
        [ENT]: { manager: { $ref: 'http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' } },
      }),
    },
    {
      // ENTRA #5: change manager with a bare id.
      name: 'manager changed with a bare id on the URN path',
      resource: withManager,
      body: patch({ op: 'Replace', path: `${ENT}:manager`, value: 'boss-2' }),
      expected: userWith({ [ENT]: { manager: { value: 'boss-2' } } }, withManager),
    },
    {
      // ENTRA #7/#18: cleared with "" — the now empty extension goes, and so does its URN in schemas.
      name: 'manager cleared with ""',
      resource: withManager,
      body: patch({ op: 'replace', path: `${ENT}:manager`, value: '' }),
      expected: userWith({ schemas: [USER_SCHEMA], [ENT]: undefined }, withManager),
    },
    {
      name: 'manager cleared with null',
      resource: withManager,
      body: patch({ op: 'Replace', path: 'manager', value: null }),
      expected: userWith({ schemas: [USER_SCHEMA], [ENT]: undefined }, withManager),
    },
    {
      name: 'manager removed with a matching manager[value eq "id"]',
      resource: withManager,
      body: patch({ op: 'Remove', path: 'manager[value eq "boss-1"]' }),
      expected: userWith({ schemas: [USER_SCHEMA], [ENT]: undefined }, withManager),
    },
    {
      name: 'manager kept when manager[value eq "id"] does not match',
      resource: withManager,
      body: patch({ op: 'remove', path: `${ENT}:manager[value eq "someone-else"]` }),
      expected: structuredClone(withManager),
    },
    {
      name: 'Remove on the URN manager path with a value',
      resource: withManager,
      body: patch({ op: 'Remove', path: `${ENT}:manager`, value: [{ value: 'boss-1' }] }),
      expected: userWith({ schemas: [USER_SCHEMA], [ENT]: undefined }, withManager),
    },
    {
      name: 'path-less replace with a URN-keyed extension object and a bare manager id',
      resource: withManager,
      body: patch({ op: 'Replace', value: { [ENT]: { manager: 'boss-9', department: 'Ops' } } }),
      expected: userWith({ [ENT]: { manager: { value: 'boss-9' }, department: 'Ops' } }, withManager),
    },
    {
      // 15Five gallery mapping: custom-extension URN keys in a path-less replace (ENTRA #11).
      name: '15Five location and startDate',
      resource: user,
      body: patch({ op: 'replace', value: { [`${FIFTEEN_FIVE}:location`]: 'Oslo', [`${FIFTEEN_FIVE}:startDate`]: '01/15/2024' } }),
      expected: userWith({ schemas: [USER_SCHEMA, FIFTEEN_FIVE], [FIFTEEN_FIVE]: { location: 'Oslo', startDate: '01/15/2024' } }),
    },
    {
      // Entra adds a first work email as `Add` on the filtered path: the element is created.
      name: 'Add to emails[type eq "home"].value creates the home email',
      resource: user,
      body: patch({ op: 'Add', path: 'emails[type eq "home"].value', value: 'babs@home.example' }),
      expected: userWith({
        emails: [...structuredClone(user['emails'] as unknown[]), { type: 'home', value: 'babs@home.example' }],
      }),
    },
    {
      name: 'Add to emails[type eq "work"].value sets the existing element',
      resource: user,
      body: patch({ op: 'Add', path: 'emails[type eq "work"].value', value: 'new@work.example' }),
      expected: userWith({ emails: [{ value: 'new@work.example', type: 'work', primary: true }] }),
    },
    {
      name: 'null replace of a filtered sub-attribute is a remove (no noTarget)',
      resource: user,
      body: patch({ op: 'Replace', path: 'phoneNumbers[type eq "fax"].value', value: null }),
      expected: structuredClone(user),
    },
  ];

  it.each(rows)('$name', ({ resource, type, dialect, body, expected }) => {
    expect(run(resource, body, type, dialect)).toStrictEqual(expected);
  });
});

describe('applyPatch: RFC 7644 §3.5.2 examples', () => {
  const member1 = { display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646', value: '2819c223-7f76-453a-919d-413861904646' };
  const member2 = { display: 'James Smith', $ref: 'https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210', value: '08e1d05d-121c-4561-8b96-473d93df9210' };
  const group = deepFreeze({ schemas: [GROUP_SCHEMA], id: 'acbf3ae7-8463-4692-b4fd-9b4da3f908ce', displayName: 'Tour Guides', members: [member1] }) as JsonObject;
  const babs = deepFreeze({
    schemas: [USER_SCHEMA],
    id: '2819c223-7f76-453a-919d-413861904646',
    userName: 'bjensen@example.com',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA' }],
  }) as JsonObject;
  const strict = strictDialect;

  const rows: Row[] = [
    {
      // §3.5.2.1: add a member.
      name: '3.5.2.1 add members',
      resource: group,
      type: 'Group',
      dialect: strict,
      body: patch({ op: 'add', path: 'members', value: [member2] }),
      expected: { ...structuredClone(group), members: [member1, member2] },
    },
    {
      // §3.5.2.1: add without a path ("nickname" in the RFC's own spelling; names are case-insensitive).
      name: '3.5.2.1 add without path',
      resource: babs,
      dialect: strict,
      body: patch({ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }, { value: 'b@x.org', type: 'other' }], nickname: 'Babs' } }),
      expected: {
        ...structuredClone(babs),
        emails: [...structuredClone(babs['emails'] as unknown[]), { value: 'b@x.org', type: 'other' }],
        nickName: 'Babs',
      },
    },
    {
      // §3.5.2.2: remove a single member.
      name: '3.5.2.2 remove one member',
      resource: { ...group, members: [member1, member2] },
      type: 'Group',
      dialect: strict,
      body: patch({ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }),
      expected: { ...structuredClone(group), members: [member2] },
    },
    {
      // §3.5.2.2: remove all members.
      name: '3.5.2.2 remove all members',
      resource: group,
      type: 'Group',
      dialect: strict,
      body: patch({ op: 'remove', path: 'members' }),
      expected: { schemas: [GROUP_SCHEMA], id: 'acbf3ae7-8463-4692-b4fd-9b4da3f908ce', displayName: 'Tour Guides' },
    },
    {
      // §3.5.2.2: remove elements matched by a compound filter.
      name: '3.5.2.2 remove emails[type eq "work" and value ew "example.com"]',
      resource: babs,
      dialect: strict,
      body: patch({ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }),
      expected: { ...structuredClone(babs), emails: [{ value: 'babs@jensen.org', type: 'home' }] },
    },
    {
      // §3.5.2.2: replace all members by remove then add.
      name: '3.5.2.2 remove then add members',
      resource: group,
      type: 'Group',
      dialect: strict,
      body: patch({ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [member2] }),
      expected: { ...structuredClone(group), members: [member2] },
    },
    {
      // §3.5.2.3: replace all members.
      name: '3.5.2.3 replace members',
      resource: group,
      type: 'Group',
      dialect: strict,
      body: patch({ op: 'replace', path: 'members', value: [member2] }),
      expected: { ...structuredClone(group), members: [member2] },
    },
    {
      // §3.5.2.3: replace the work address; the sub-attributes given replace, the others stay.
      name: '3.5.2.3 replace addresses[type eq "work"]',
      resource: babs,
      dialect: strict,
      body: patch({
        op: 'replace',
        path: 'addresses[type eq "work"]',
        value: { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true },
      }),
      expected: {
        ...structuredClone(babs),
        addresses: [{ type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true }],
      },
    },
    {
      // §3.5.2.3: replace one sub-attribute of the work address.
      name: '3.5.2.3 replace addresses[type eq "work"].streetAddress',
      resource: babs,
      dialect: strict,
      body: patch({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }),
      expected: {
        ...structuredClone(babs),
        addresses: [{ type: 'work', streetAddress: '1010 Broadway Ave', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA' }],
      },
    },
    {
      // §3.5.2.3: replace without a path; the multi-valued emails is replaced as a whole.
      name: '3.5.2.3 replace without path',
      resource: babs,
      dialect: strict,
      body: patch({ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickname: 'Babs' } }),
      expected: { ...structuredClone(babs), emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' },
    },
  ];

  it.each(rows)('$name', ({ resource, type, dialect, body, expected }) => {
    expect(run(resource, body, type, dialect)).toStrictEqual(expected);
  });
});

describe('applyPatch: semantics pinned beyond the samples', () => {
  const ctx = { registry, type: 'User' as const };
  const rows: { name: string; resource: JsonObject; ops: PatchOperation[]; expected: JsonObject }[] = [
    {
      name: 'add to a complex attribute merges sub-attributes',
      resource: user,
      ops: [{ op: 'add', path: 'name', value: { middleName: 'Jane', givenName: 'Babs' } }],
      expected: userWith({ name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'Babs', middleName: 'Jane' } }),
    },
    {
      name: 'replace of a complex attribute replaces it whole',
      resource: user,
      ops: [{ op: 'replace', path: 'name', value: { givenName: 'Babs' } }],
      expected: userWith({ name: { givenName: 'Babs' } }),
    },
    {
      name: 'removing the last sub-attribute drops the complex attribute',
      resource: userWith({ name: { givenName: 'x' } }),
      ops: [{ op: 'remove', path: 'name.givenName' }],
      expected: userWith({ name: undefined }),
    },
    {
      name: 'removing something absent is a no-op',
      resource: user,
      ops: [
        { op: 'remove', path: 'nickName' },
        { op: 'remove', path: `${ENT}:department` },
        { op: 'remove', path: 'emails[type eq "fax"]' },
        { op: 'remove', path: ENT },
      ],
      expected: structuredClone(user),
    },
    {
      name: 'whole-extension add merges, replace replaces the given attributes, remove deletes',
      resource: userWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'R&D', costCenter: '4' } }),
      ops: [
        { op: 'add', path: ENT, value: { division: 'West' } },
        { op: 'replace', path: ENT.toLowerCase(), value: { department: 'Ops' } },
        { op: 'add', path: FIFTEEN_FIVE, value: { location: 'Oslo' } },
        { op: 'remove', path: FIFTEEN_FIVE },
      ],
      expected: userWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'Ops', costCenter: '4', division: 'West' } }),
    },
    {
      name: 'path-less add: multi-valued appended, complex merged, extension merged',
      resource: userWith({ schemas: [USER_SCHEMA, ENT], [ENT]: { department: 'R&D' } }),
      ops: [{ op: 'add', value: { emails: { value: 'h@x', type: 'home' }, name: { middleName: 'J' }, [ENT]: { division: 'W' }, schemas: ['ignored'] } }],
      expected: userWith({
        schemas: [USER_SCHEMA, ENT],
        emails: [...structuredClone(user['emails'] as unknown[]), { value: 'h@x', type: 'home' }],
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName', middleName: 'J' },
        [ENT]: { department: 'R&D', division: 'W' },
      }),
    },
    {
      name: 'path-less value with id/meta as read back changes nothing',
      resource: user,
      ops: [{ op: 'replace', value: { id: user['id'], meta: structuredClone(user['meta']), title: 'CTO' } }],
      expected: userWith({ title: 'CTO' }),
    },
    {
      name: 'names are matched ignoring case and written canonically',
      resource: user,
      ops: [{ op: 'replace', path: 'NAME.GIVENNAME', value: 'G' }, { op: 'add', path: 'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT', value: 'D' }],
      expected: userWith({
        schemas: [USER_SCHEMA, ENT],
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'G' },
        [ENT]: { department: 'D' },
      }),
    },
    {
      name: 'nulls and empties an operation leaves are pruned; untouched attributes are not',
      resource: userWith({ roles: [] }),
      ops: [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: null, type: null, primary: null } }],
      expected: userWith({ roles: [], emails: undefined }),
    },
    {
      name: 'empty strings are values and stay',
      resource: user,
      ops: [{ op: 'replace', path: 'title', value: '' }],
      expected: userWith({ title: '' }),
    },
  ];

  it.each(rows)('$name', ({ resource, ops, expected }) => {
    expect(applyPatch(resource, ops, ctx)).toStrictEqual(expected);
  });

  it('a path-less value may key attributes by their URN, core ones too (RFC 7644 §3.10)', () => {
    const out = applyPatch(
      user,
      [
        { op: 'replace', value: { [`${USER_SCHEMA}:title`]: 'Boss', [`${USER_SCHEMA}:name.givenName`]: 'Bea', [`${ENT}:employeeNumber`]: '9' } },
        { op: 'add', value: { [USER_SCHEMA]: { nickName: 'B' } } },
      ],
      ctx,
    );
    expect(out).toMatchObject({ title: 'Boss', nickName: 'B', [ENT]: { employeeNumber: '9' } });
    expect((out['name'] as JsonObject)['givenName']).toBe('Bea');
  });
});

describe('applyPatch: errors', () => {
  const ctx = { registry, type: 'User' as const };
  const groupCtx = { registry, type: 'Group' as const };
  const rows: { name: string; resource?: JsonObject; group?: boolean; ops: PatchOperation[]; status: number; scimType: ScimType }[] = [
    { name: 'unknown attribute', ops: [{ op: 'replace', path: 'shoeSize', value: 1 }], status: 400, scimType: 'invalidPath' },
    { name: 'unknown sub-attribute', ops: [{ op: 'replace', path: 'name.nick', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'unknown extension attribute', ops: [{ op: 'add', path: `${ENT}:shoeSize`, value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'undeclared extension', ops: [{ op: 'add', path: 'urn:example:ext:1.0:User:x', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'path syntax error', ops: [{ op: 'replace', path: 'emails[type eq', value: 'x' }], status: 400, scimType: 'invalidPath' },
    { name: 'schemas is not patchable', ops: [{ op: 'replace', path: 'schemas', value: [USER_SCHEMA] }], status: 400, scimType: 'invalidPath' },
    { name: 'filter on a simple attribute', ops: [{ op: 'remove', path: 'userName[value eq "x"]' }], status: 400, scimType: 'invalidPath' },
    { name: 'filter naming an unknown sub-attribute', ops: [{ op: 'remove', path: 'emails[shoe eq "x"]' }], status: 400, scimType: 'invalidPath' },
    { name: 'sub-attribute of a multi-valued attribute without a filter', ops: [{ op: 'replace', path: 'emails.value', value: 'x' }], status: 400, scimType: 'invalidPath' },
    // RFC 7644 §3.12: a valid path (or none) with a value it cannot take is invalidValue, not invalidPath.
    { name: 'path-less value with an unknown attribute', ops: [{ op: 'add', value: { shoeSize: 4 } }], status: 400, scimType: 'invalidValue' },
    { name: 'merge with an unknown sub-attribute', ops: [{ op: 'add', path: 'name', value: { nick: 'x' } }], status: 400, scimType: 'invalidValue' },
    { name: 'extension object carrying "schemas"', ops: [{ op: 'replace', path: ENT, value: { schemas: [ENT], employeeNumber: '7' } }], status: 400, scimType: 'invalidValue' },
    { name: 'extension object with an unknown attribute', ops: [{ op: 'add', path: ENT, value: { shoeSize: 4 } }], status: 400, scimType: 'invalidValue' },
    { name: 'path-less extension object carrying "schemas"', ops: [{ op: 'add', value: { [ENT]: { schemas: [ENT], employeeNumber: '7' } } }], status: 400, scimType: 'invalidValue' },
    { name: 'manager object with an unknown sub-attribute', ops: [{ op: 'add', path: `${ENT}:manager`, value: { value: 'b', boss: true } }], status: 400, scimType: 'invalidValue' },
    { name: 'filtered element merged with an unknown sub-attribute', ops: [{ op: 'add', path: 'emails[type eq "work"]', value: { shoe: 'x' } }], status: 400, scimType: 'invalidValue' },
    { name: 'remove without path', ops: [{ op: 'remove' }], status: 400, scimType: 'noTarget' },
    { name: 'replace with a filter matching nothing', ops: [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'x' }], status: 400, scimType: 'noTarget' },
    { name: 'add with a non-equality filter matching nothing', ops: [{ op: 'add', path: 'emails[type ne "work"].value', value: 'x' }], status: 400, scimType: 'noTarget' },
    { name: 'replace id', ops: [{ op: 'replace', path: 'id', value: 'x' }], status: 400, scimType: 'mutability' },
    { name: 'remove meta', ops: [{ op: 'remove', path: 'meta' }], status: 400, scimType: 'mutability' },
    { name: 'replace meta.created', ops: [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }], status: 400, scimType: 'mutability' },
    { name: 'add groups', ops: [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }], status: 400, scimType: 'mutability' },
    { name: 'replace manager.displayName', ops: [{ op: 'replace', path: `${ENT}:manager.displayName`, value: 'x' }], status: 400, scimType: 'mutability' },
    { name: 'path-less value changing id', ops: [{ op: 'replace', value: { id: 'other' } }], status: 400, scimType: 'mutability' },
    { name: 'replace an immutable member sub-attribute', group: true, resource: groupResource, ops: [{ op: 'replace', path: 'members[value eq "u1091"].display', value: 'x' }], status: 400, scimType: 'mutability' },
    { name: 'add without value', ops: [{ op: 'add', path: 'title' }], status: 400, scimType: 'invalidSyntax' },
    { name: 'path-less add of a non-object', ops: [{ op: 'add', value: 'x' }], status: 400, scimType: 'invalidValue' },
    { name: 'complex attribute given a string', ops: [{ op: 'add', path: 'name', value: 'x' }], status: 400, scimType: 'invalidValue' },
    { name: 'complex attribute replaced with a string', ops: [{ op: 'replace', path: 'name', value: 'x' }], status: 400, scimType: 'invalidValue' },
    { name: 'whole extension given a string', ops: [{ op: 'add', path: ENT, value: 'x' }], status: 400, scimType: 'invalidValue' },
    { name: 'remove members with a value (RFC remove has none)', group: true, resource: groupResource, ops: [{ op: 'remove', path: 'members', value: [{ value: 'u1091' }] }], status: 400, scimType: 'invalidSyntax' },
    { name: 'value nested too deeply', ops: [{ op: 'add', path: 'title', value: JSON.parse('['.repeat(100) + ']'.repeat(100)) }], status: 400, scimType: 'invalidValue' },
  ];

  it.each(rows)('$name', ({ resource, group, ops, status, scimType }) => {
    const err = scimErrorOf(() => applyPatch(resource ?? user, ops, group ? groupCtx : ctx));
    expect([err.status, err.scimType]).toEqual([status, scimType]);
  });

  it('echoes at most a bounded piece of a hostile path', () => {
    const err = scimErrorOf(() => applyPatch(user, [{ op: 'replace', path: `x${'y'.repeat(5000)}`, value: 1 }], ctx));
    expect(err.scimType).toBe('invalidPath');
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('applyPatch: atomicity and hostile values', () => {
  const ctx = { registry, type: 'User' as const };

  it('a failing second operation leaves the input unchanged and throws', () => {
    const resource: JsonObject = structuredClone(user) as JsonObject; // not frozen: a mutation would go unnoticed otherwise
    const before = structuredClone(resource);
    const ops: PatchOperation[] = [
      { op: 'replace', path: 'userName', value: 'changed' },
      { op: 'add', path: 'emails', value: { value: 'second@x', type: 'home' } },
      { op: 'replace', path: 'id', value: 'boom' },
    ];
    const err = scimErrorOf(() => applyPatch(resource, ops, ctx));
    expect(err.scimType).toBe('mutability');
    expect(resource).toStrictEqual(before);
  });

  it('returns a new object that shares nothing with the input', () => {
    const resource = structuredClone(user) as JsonObject;
    const out = applyPatch(resource, [{ op: 'add', path: 'nickName', value: 'B' }], ctx);
    expect(out).not.toBe(resource);
    (out['name'] as JsonObject)['givenName'] = 'mutated';
    (out['emails'] as JsonObject[]).push({ value: 'x' });
    expect(resource).toStrictEqual(structuredClone(user));
  });

  it('a __proto__ key cannot pollute prototypes', () => {
    const hostile = (json: string): unknown => JSON.parse(json);
    // As a key of a value it is an unknown attribute (invalidValue); as a path, an unknown path.
    const attempts: [PatchOperation[], ScimType][] = [
      [[{ op: 'add', value: hostile('{"__proto__": {"polluted": true}}') }], 'invalidValue'],
      [[{ op: 'add', path: 'name', value: hostile('{"__proto__": {"polluted": true}}') }], 'invalidValue'],
      [[{ op: 'add', path: ENT, value: hostile('{"__proto__": {"polluted": true}}') }], 'invalidValue'],
      [[{ op: 'add', path: '__proto__', value: hostile('{"polluted": true}') }], 'invalidPath'],
      [[{ op: 'add', path: 'emails[type eq "home"]', value: hostile('{"__proto__": {"polluted": true}}') }], 'invalidValue'],
    ];
    for (const [ops, scimType] of attempts) {
      const err = scimErrorOf(() => applyPatch(user, ops, ctx));
      expect(err.scimType).toBe(scimType);
    }
    // Inside an element the key is plain data for the validator to judge; it is not a prototype.
    const out = applyPatch(user, [{ op: 'add', path: 'emails', value: hostile('{"value": "a@x", "__proto__": {"polluted": true}}') }], ctx);
    const added = (out['emails'] as JsonObject[])[1]!;
    expect(Object.getPrototypeOf(added)).toBe(Object.prototype);
    expect(Object.keys(added)).toEqual(['value', '__proto__']);
    expect(({} as JsonObject)['polluted']).toBeUndefined();
    expect((Object.prototype as JsonObject)['polluted']).toBeUndefined();
  });

  it('schemas lists the core schema and exactly the extensions present', () => {
    const resource = userWith({ schemas: [USER_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group', ENT], [FIFTEEN_FIVE]: { location: 'x' } });
    const out = applyPatch(resource, [{ op: 'add', path: 'nickName', value: 'B' }], ctx);
    expect(out['schemas']).toEqual([USER_SCHEMA, FIFTEEN_FIVE]);
  });
});

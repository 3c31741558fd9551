import { describe, expect, it } from 'vitest';
import { compileFilter, matchesFilter, matchesValueFilter, parseFilter } from '../../../src/scim/filter/index.js';
import { enterpriseUserSchema, groupSchema } from '../../../src/scim/schemas/core.js';
import type { JsonObject } from '../../../src/store/types.js';
import { cmp, ENT, groups, MANAGER_ID, not, path, pr, sampleGroup, sampleUser, scimErrorOf, TEST_EXT, testExtension, users } from './fixtures.js';

const USER_ID = sampleUser.id;

const userRows: { filter: string; expected: boolean }[] = [
  // caseExact=false: userName, displayName, emails.value, name.*
  { filter: 'userName eq "bjensen@example.com"', expected: true },
  { filter: 'userName Eq "BJENSEN@EXAMPLE.COM"', expected: true },
  { filter: 'userName ne "BJENSEN@example.com"', expected: false },
  { filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj"', expected: true },
  { filter: 'displayName co "BABS"', expected: true },
  { filter: 'displayName sw "babs j"', expected: true },
  { filter: 'displayName ew "JENSEN"', expected: true },
  { filter: 'displayName ew "Babs"', expected: false },
  { filter: `name.familyName co "o'malley"`, expected: true },
  // caseExact=true: id, externalId, meta.resourceType, and a caseExact extension string
  { filter: `id eq "${USER_ID}"`, expected: true },
  { filter: `id eq "${USER_ID.toUpperCase()}"`, expected: false },
  { filter: 'externalId eq "bjensen-EXT"', expected: true },
  { filter: 'externalId eq "bjensen-ext"', expected: false },
  { filter: 'meta.resourceType eq "user"', expected: false },
  { filter: `${TEST_EXT}:badge eq "AbC"`, expected: true },
  { filter: `${TEST_EXT}:badge eq "abc"`, expected: false },
  // string ordering by code unit after folding
  { filter: 'userName gt "bj"', expected: true },
  { filter: 'userName lt "BJENSEN@EXAMPLE.COM"', expected: false },
  { filter: 'userName le "BJENSEN@EXAMPLE.COM"', expected: true },
  // multi-valued: any element; no sub-attribute means `value`
  { filter: 'emails co "JENSEN.ORG"', expected: true },
  { filter: 'emails eq "nobody@example.com"', expected: false },
  { filter: 'emails.value ew "@example.com"', expected: true },
  { filter: 'emails.value ne "bjensen@example.com"', expected: true },
  { filter: 'emails.type eq "home"', expected: true },
  { filter: 'ims.type eq "xmpp"', expected: false },
  // a value path needs one element to satisfy all of it; plain paths may match different elements
  { filter: 'emails[type eq "work" and value co "@example.com"]', expected: true },
  { filter: 'emails[type eq "home" and primary eq true]', expected: false },
  { filter: 'emails.type eq "home" and emails.primary eq true', expected: true },
  { filter: 'emails[not (type eq "work")]', expected: true },
  { filter: 'emails[type eq "work" and primary eq "True"]', expected: true },
  { filter: 'emails[type eq "work"] or ims[type eq "xmpp" and value co "@foo.com"]', expected: true },
  { filter: 'ims[type eq "xmpp"]', expected: false },
  { filter: 'not (ims[type eq "xmpp"])', expected: true },
  { filter: 'addresses[type eq "work"]', expected: false },
  // RFC 7644 examples
  { filter: 'title pr and userType eq "Employee"', expected: true },
  { filter: 'title pr or userType eq "Intern"', expected: true },
  { filter: 'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', expected: true },
  { filter: 'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', expected: false },
  { filter: 'userType eq "Employee" and (emails.type eq "work")', expected: true },
  { filter: `schemas eq "${ENT.toLowerCase()}"`, expected: true },
  { filter: 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"', expected: false },
  // presence: not null, not "", not []
  { filter: 'title pr', expected: true },
  { filter: 'nickName pr', expected: false },
  { filter: 'roles pr', expected: false },
  { filter: 'locale pr', expected: false },
  { filter: 'name pr', expected: true },
  { filter: 'emails pr', expected: true },
  { filter: 'emails.display pr', expected: false },
  { filter: `${ENT}:manager pr`, expected: true },
  // absent attribute: every comparison false except ne
  { filter: 'locale eq "en"', expected: false },
  { filter: 'locale ne "en"', expected: true },
  { filter: 'locale co "en"', expected: false },
  { filter: 'locale gt "a"', expected: false },
  { filter: 'locale lt "z"', expected: false },
  { filter: 'not (locale eq "en")', expected: true },
  { filter: 'addresses.locality eq "x"', expected: false },
  { filter: 'addresses.locality ne "x"', expected: true },
  // null: absence and presence
  { filter: 'locale eq null', expected: true },
  { filter: 'nickName eq null', expected: true },
  { filter: 'title eq null', expected: false },
  { filter: 'title ne null', expected: true },
  // booleans, eq/ne only; Entra's "True"/"False" strings accepted
  { filter: 'active eq true', expected: true },
  { filter: 'active eq "True"', expected: true },
  { filter: 'active ne false', expected: true },
  { filter: 'active eq false', expected: false },
  { filter: 'active eq "false"', expected: false },
  // dateTime as instants
  { filter: 'meta.created gt "2011-05-13T04:42:34Z"', expected: true },
  { filter: 'meta.created eq "2011-08-01T20:29:49.793+02:00"', expected: true },
  { filter: 'meta.created eq "2011-08-01T18:29:49.793Z"', expected: true },
  { filter: 'meta.created eq "2011-08-01T18:29:49Z"', expected: false },
  { filter: 'meta.created lt "2011-08-01T18:29:49.793Z"', expected: false },
  { filter: 'meta.created le "2011-08-01T18:29:49.793Z"', expected: true },
  { filter: 'meta.lastModified ge "2011-08-01"', expected: true },
  { filter: 'meta.lastModified lt "2011-08-02"', expected: true },
  { filter: 'meta.lastModified gt "2011-08-01T21:32:44.882"', expected: false },
  { filter: `${TEST_EXT}:hiredAt lt "2011-08-01T11:00:00Z"`, expected: true },
  { filter: `${TEST_EXT}:hiredAt eq "2011-08-01T10:00:00Z"`, expected: true },
  // numbers numerically
  { filter: `${TEST_EXT}:level eq 7`, expected: true },
  { filter: `${TEST_EXT}:level gt 10`, expected: false },
  { filter: `${TEST_EXT}:level ge 7`, expected: true },
  { filter: `${TEST_EXT}:score lt 4.6`, expected: true },
  { filter: `${TEST_EXT}:score eq 4.5e0`, expected: true },
  { filter: `${TEST_EXT}:score ne 4.5`, expected: false },
  // multi-valued simple values
  { filter: `${TEST_EXT}:tags eq "BLUE"`, expected: true },
  { filter: `${TEST_EXT}:tags[value sw "g"]`, expected: true },
  { filter: `${TEST_EXT}:tags[value eq "red"]`, expected: false },
  // extension attributes, qualified or not
  { filter: 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User:startDate eq "01/02/2020"', expected: true },
  { filter: 'startDate eq "01/02/2020"', expected: true },
  { filter: `${ENT}:employeeNumber eq "701984"`, expected: true },
  { filter: `${ENT}:manager.displayName eq "john smith"`, expected: true },
  // manager: the complex attribute alone means its value (Entra's probe, ENTRA.md #8)
  { filter: `id eq "${USER_ID}" and manager eq "${MANAGER_ID}"`, expected: true },
  { filter: `id eq "${USER_ID}" and manager eq "someone-else"`, expected: false },
  { filter: `${ENT}:manager eq "${MANAGER_ID}"`, expected: true },
  { filter: `${ENT}:manager.value eq "${MANAGER_ID}"`, expected: true },
  { filter: `${ENT}:manager[value eq "${MANAGER_ID}"]`, expected: true },
  { filter: `manager[displayName sw "J" and value eq "x"]`, expected: false },
  // the user's groups
  { filter: 'groups[value eq "e9e30dba"]', expected: true },
  { filter: 'groups.display eq "tour guides"', expected: true },
  { filter: 'groups eq "E9E30DBA"', expected: true },
];

describe('matchesFilter on a User', () => {
  it.each(userRows)('$filter → $expected', ({ filter, expected }) => {
    expect(matchesFilter(sampleUser, parseFilter(filter), users)).toBe(expected);
  });
});

const groupRows: { filter: string; expected: boolean }[] = [
  { filter: 'displayName eq "tour guides"', expected: true },
  { filter: 'displayName eq "Group One"', expected: false },
  { filter: 'members[value eq "902c246b"]', expected: true },
  { filter: 'members eq "902C246B"', expected: true },
  { filter: 'members.value eq "nobody"', expected: false },
  { filter: 'members[type eq "Group"]', expected: false },
  { filter: 'members[display pr]', expected: true },
  { filter: 'members[display pr and value eq "902c246b"]', expected: false },
  { filter: 'members.$ref sw "https://"', expected: true },
  { filter: 'meta.lastModified eq "2011-05-13T04:42:34.000Z"', expected: true },
  { filter: 'externalId pr', expected: false },
  { filter: 'externalId ne "x"', expected: true },
];

describe('matchesFilter on a Group', () => {
  it.each(groupRows)('$filter → $expected', ({ filter, expected }) => {
    expect(matchesFilter(sampleGroup, parseFilter(filter), groups)).toBe(expected);
  });
});

describe('matchesFilter on odd resource shapes', () => {
  const rows: { name: string; resource: JsonObject; filter: string; expected: boolean }[] = [
    // Entra writes a bare manager id (ENTRA.md #5) if the dialect left it so.
    { name: 'bare manager id', resource: { [ENT]: { manager: 'm-1' } }, filter: 'manager eq "m-1"', expected: true },
    { name: 'bare manager id, explicit .value', resource: { [ENT]: { manager: 'm-1' } }, filter: 'manager.value eq "m-1"', expected: false },
    { name: 'keys in another case', resource: { UserName: 'x', Emails: [{ Value: 'a@b' }] }, filter: 'userName eq "X" and emails.value eq "A@B"', expected: true },
    { name: 'extension URN key in another case', resource: { [ENT.toLowerCase()]: { employeeNumber: '1' } }, filter: 'employeeNumber eq "1"', expected: true },
    { name: 'emails as a string', resource: { emails: 'a@b' }, filter: 'emails.type eq "work"', expected: false },
    { name: 'emails with junk elements', resource: { emails: [null, 5, 'x', { value: 'a@b' }] }, filter: 'emails eq "a@b"', expected: true },
    { name: 'junk elements and ne', resource: { emails: [null, 7] }, filter: 'emails ne "a"', expected: true },
    { name: 'number where a string belongs', resource: { userName: 5 }, filter: 'userName eq "5"', expected: false },
    { name: 'string where a number belongs', resource: { [TEST_EXT]: { level: '7' } }, filter: `${TEST_EXT}:level eq 7`, expected: false },
    { name: 'unparseable stored dateTime', resource: { meta: { created: 'yesterday' } }, filter: 'meta.created lt "2030-01-01"', expected: false },
    { name: 'meta missing', resource: {}, filter: 'meta.created ne "2030-01-01"', expected: true },
    { name: 'boolean stored as "False"', resource: { active: 'False' }, filter: 'active eq false', expected: true },
    { name: 'null attribute', resource: { title: null }, filter: 'title pr', expected: false },
    { name: 'empty complex', resource: { name: {} }, filter: 'name pr', expected: false },
    { name: 'inherited keys are not attributes', resource: { name: Object.create({ givenName: 'x' }) as JsonObject }, filter: 'name.givenName pr', expected: false },
    { name: 'a "__proto__" key is just a key', resource: JSON.parse('{"name": {"__proto__": {"givenName": "x"}}}') as JsonObject, filter: 'name.givenName pr', expected: false },
  ];
  it.each(rows)('$name', ({ resource, filter, expected }) => {
    expect(matchesFilter(resource, parseFilter(filter), users)).toBe(expected);
  });
});

describe('compileFilter', () => {
  it('validates before it compiles', () => {
    const error = scimErrorOf(() => compileFilter(parseFilter('active gt true'), users));
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter']);
  });

  it('selects the matching resources from a list', () => {
    const match = compileFilter(parseFilter('userName sw "a" and not (active eq false)'), users);
    const list = [{ userName: 'Alice', active: true }, { userName: 'andy', active: false }, { userName: 'bob' }, { userName: 'Ann' }];
    expect(list.filter(match).map((u) => u.userName)).toEqual(['Alice', 'Ann']);
  });
});

describe('matchesValueFilter', () => {
  const members = groupSchema.attributes.find((a) => a.name === 'members')!;
  const manager = enterpriseUserSchema.attributes.find((a) => a.name === 'manager')!;
  const tags = testExtension.attributes.find((a) => a.name === 'tags')!;

  const rows: { name: string; element: unknown; filter: string; parent: typeof members; expected: boolean }[] = [
    { name: 'member by value', element: { value: '2819c223', type: 'User' }, filter: 'value eq "2819c223"', parent: members, expected: true },
    { name: 'member by other value', element: { value: '2819c223' }, filter: 'value eq "902c246b"', parent: members, expected: false },
    { name: 'member by type and value', element: { value: 'x', type: 'User' }, filter: 'type eq "user" and value eq "x"', parent: members, expected: true },
    { name: 'member $ref absent', element: { value: 'x', $ref: null }, filter: '$ref pr', parent: members, expected: false },
    { name: 'manager element', element: { value: 'm-1' }, filter: 'value eq "m-1"', parent: manager, expected: true },
    { name: 'simple value: the element itself', element: 'Blue', filter: 'value eq "blue"', parent: tags, expected: true },
    { name: 'simple value: no match', element: 'Blue', filter: 'value sw "g"', parent: tags, expected: false },
    { name: 'simple value: negation', element: 'Blue', filter: 'not (value sw "g")', parent: tags, expected: true },
  ];
  it.each(rows)('$name', ({ element, filter, parent, expected }) => {
    const bracketed = parseFilter(`${parent.name}[${filter}]`);
    if (bracketed.kind !== 'valuePath') throw new Error('expected a value path');
    expect(matchesValueFilter(element, bracketed.filter, parent)).toBe(expected);
  });

  it('throws invalidFilter for an unknown sub-attribute', () => {
    const error = scimErrorOf(() => matchesValueFilter({ value: 'x' }, cmp(path('valu'), 'eq', 'x'), members));
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter']);
  });

  it('accepts trees built by hand', () => {
    expect(matchesValueFilter({ value: 'x', display: 'X' }, not(pr(path('type'))), members)).toBe(true);
  });
});

describe('matchesFilter with one tree in two contexts', () => {
  it('resolves the tree separately for each resource type', () => {
    const node = parseFilter('displayName eq "tour guides"');
    expect(matchesFilter(sampleGroup, node, groups)).toBe(true);
    expect(matchesFilter({ displayName: 'Tour Guides' }, node, users)).toBe(true);
    const userOnly = parseFilter('userName eq "x"');
    expect(matchesFilter({ userName: 'X' }, userOnly, users)).toBe(true);
    expect(scimErrorOf(() => matchesFilter({ userName: 'X' }, userOnly, groups)).scimType).toBe('invalidFilter');
  });
});

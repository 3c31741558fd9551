import { describe, expect, it } from 'vitest';
import type { AttrPathRef, PatchPath } from '../../../src/scim/filter/ast.js';
import { MAX_FILTER_LENGTH, parseAttrPath, parsePatchPath } from '../../../src/scim/filter/index.js';
import { and, cmp, ENT, FIFTEEN_FIVE, or, path, pr, scimErrorOf } from './fixtures.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

const valid: { input: string; expected: PatchPath }[] = [
  { input: 'members[value eq "2819c223"]', expected: { attr: path('members'), filter: cmp(path('value'), 'eq', '2819c223') } },
  {
    input: 'emails[type eq "work"].value',
    expected: { attr: path('emails'), filter: cmp(path('type'), 'eq', 'work'), subAfterFilter: 'value' },
  },
  { input: 'name.givenName', expected: { attr: path('name', 'givenName') } },
  { input: 'userName', expected: { attr: path('userName') } },
  { input: `${ENT}:manager`, expected: { attr: path('manager', undefined, ENT) } },
  { input: `${ENT}:manager.value`, expected: { attr: path('manager', 'value', ENT) } },
  // A whole extension schema: the registry's extensionSchemaOfPath recognises uri + name.
  { input: ENT, expected: { attr: path('User', undefined, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0') } },
  { input: `${FIFTEEN_FIVE}:startDate`, expected: { attr: path('startDate', undefined, FIFTEEN_FIVE) } },
  { input: `${ENT}:employeeNumber`, expected: { attr: path('employeeNumber', undefined, ENT) } },
  // Entra removes a manager with this path (ENTRA.md #7) and members with the valuePath form (#12).
  { input: 'manager[value eq "id-1"]', expected: { attr: path('manager'), filter: cmp(path('value'), 'eq', 'id-1') } },
  {
    input: 'members[value eq "a" or value eq "b"]',
    expected: { attr: path('members'), filter: or(cmp(path('value'), 'eq', 'a'), cmp(path('value'), 'eq', 'b')) },
  },
  {
    input: 'addresses[type eq "work" and primary eq true].streetAddress',
    expected: {
      attr: path('addresses'),
      filter: and(cmp(path('type'), 'eq', 'work'), cmp(path('primary'), 'eq', true)),
      subAfterFilter: 'streetAddress',
    },
  },
  {
    input: `${CORE_USER}:emails[type eq "work"].value`,
    expected: { attr: path('emails', undefined, CORE_USER), filter: cmp(path('type'), 'eq', 'work'), subAfterFilter: 'value' },
  },
  { input: 'members[$ref pr].display', expected: { attr: path('members'), filter: pr(path('$ref')), subAfterFilter: 'display' } },
  { input: 'EMAILS[TYPE EQ "work"].VALUE', expected: { attr: path('EMAILS'), filter: cmp(path('TYPE'), 'eq', 'work'), subAfterFilter: 'VALUE' } },
];

describe('parsePatchPath', () => {
  it.each(valid)('$input', ({ input, expected }) => {
    expect(parsePatchPath(input)).toStrictEqual(expected);
  });
});

const invalid: { name: string; input: string; detail: RegExp }[] = [
  { name: 'empty', input: '', detail: /^path is empty$/ },
  { name: 'unclosed bracket', input: 'members[value eq "x"', detail: /^expected "\]" at position 21/ },
  { name: 'missing value in brackets', input: 'members[value eq]', detail: /^expected a value .* at position 17, found "\]"$/ },
  { name: 'empty brackets', input: 'members[]', detail: /^expected an attribute path at position 9, found "\]"$/ },
  { name: 'stray "]"', input: 'members]', detail: /^unexpected "\]" at position 8$/ },
  { name: 'a filter, not a path', input: 'members eq "x"', detail: /^unexpected "eq" at position 9$/ },
  { name: 'dot without a name', input: 'emails[type eq "work"].', detail: /^invalid sub-attribute "\." at position 23$/ },
  { name: 'two sub-attributes after brackets', input: 'emails[type eq "work"].value.display', detail: /^invalid sub-attribute "\.value\.display"/ },
  { name: 'name glued after brackets', input: 'emails[type eq "work"]value', detail: /^invalid sub-attribute "value"/ },
  { name: 'two filters', input: 'emails[type eq "work"][value pr]', detail: /^unexpected "\[" at position 23$/ },
  { name: 'three-part path', input: 'name.givenName.x', detail: /^invalid attribute path "name.givenName.x" at position 1$/ },
  { name: 'name starting with a digit', input: '1members', detail: /^invalid attribute path/ },
  { name: 'brackets on a sub-attribute', input: 'name.givenName[value pr]', detail: /^a value filter applies to an attribute/ },
  { name: 'nested brackets', input: 'members[value[x pr]]', detail: /^value filters cannot be nested/ },
  { name: 'bad escape inside brackets', input: String.raw`members[value eq "a\q"]`, detail: /^invalid escape/ },
  { name: 'unknown operator inside brackets', input: 'members[value is "a"]', detail: /^unknown operator "is"/ },
  { name: 'huge path', input: `a${'b'.repeat(MAX_FILTER_LENGTH)}`, detail: /^path is longer than 8192 characters$/ },
];

describe('parsePatchPath errors', () => {
  it.each(invalid)('$name → 400 invalidPath', ({ input, detail }) => {
    const error = scimErrorOf(() => parsePatchPath(input));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidPath');
    expect(error.message).toMatch(detail);
  });

  it('refuses a path that is not a string', () => {
    const error = scimErrorOf(() => parsePatchPath(42 as unknown as string));
    expect([error.status, error.scimType]).toEqual([400, 'invalidPath']);
  });
});

const attrPaths: { input: string; expected: AttrPathRef | undefined }[] = [
  { input: 'userName', expected: path('userName') },
  { input: 'name.givenName', expected: path('name', 'givenName') },
  { input: 'meta.lastModified', expected: path('meta', 'lastModified') },
  { input: ' emails.value ', expected: path('emails', 'value') },
  { input: `${CORE_USER}:userName`, expected: path('userName', undefined, CORE_USER) },
  { input: `${ENT}:manager.displayName`, expected: path('manager', 'displayName', ENT) },
  { input: ENT, expected: path('User', undefined, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0') },
  { input: 'members.$ref', expected: path('members', '$ref') },
  { input: '', expected: undefined },
  { input: 'user name', expected: undefined },
  { input: 'emails[type eq "work"]', expected: undefined },
  { input: 'a.b.c', expected: undefined },
  { input: '1a', expected: undefined },
  { input: 'name.', expected: undefined },
  { input: 'urn:', expected: undefined },
  { input: ':userName', expected: undefined },
  { input: 'user$name', expected: undefined },
  { input: `${'a'.repeat(MAX_FILTER_LENGTH + 1)}`, expected: undefined },
];

describe('parseAttrPath', () => {
  it.each(attrPaths)('$input', ({ input, expected }) => {
    expect(parseAttrPath(input)).toStrictEqual(expected);
  });
});

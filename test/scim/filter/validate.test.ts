import { describe, expect, it } from 'vitest';
import { parseFilter, validateFilter, validateValueFilter } from '../../../src/scim/filter/index.js';
import { invalidPath } from '../../../src/scim/errors.js';
import { groupSchema } from '../../../src/scim/schemas/core.js';
import { cmp, ENT, groups, path, pr, scimErrorOf, TEST_EXT, users, vp } from './fixtures.js';

const membersDef = groupSchema.attributes.find((a) => a.name === 'members')!;

const validForUsers = [
  'userName Eq "john"',
  'Username eq "john"',
  `name.familyName co "O'Malley"`,
  'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
  'title pr and userType eq "Employee"',
  'meta.lastModified gt "2011-05-13T04:42:34Z"',
  'meta.created le "2011-05-13"',
  `schemas eq "${ENT}"`,
  'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
  'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
  'emails[type eq "work" and primary eq true]',
  'emails gt "a"',
  'active eq true',
  'active ne false',
  // Entra sends booleans as strings without the aadOptscim062020 flag (ENTRA.md #10).
  'active eq "true"',
  'active eq "True"',
  'active eq "FALSE"',
  // Entra probes the manager unqualified (ENTRA.md #8).
  'id eq "123" and manager eq "456"',
  `${ENT}:manager eq "456"`,
  `${ENT}:manager.value eq "456"`,
  `${ENT}:manager[value eq "456"]`,
  'manager.displayName sw "J"',
  'employeeNumber eq "701984"',
  'urn:ietf:params:scim:schemas:extension:15Five:2.0:User:startDate eq "01/02/2020"',
  `${TEST_EXT}:level gt 3`,
  `${TEST_EXT}:score le 4.5`,
  `${TEST_EXT}:score eq 4`,
  `${TEST_EXT}:hiredAt ge "2011-08-01T12:00:00+02:00"`,
  `${TEST_EXT}:tags eq "blue"`,
  `${TEST_EXT}:tags[value sw "b"]`,
  'title eq null',
  'title ne null',
  'groups.value eq "g1"',
  'groups[display co "guides"]',
  'name pr',
  'meta.version eq "W/\\"1\\""',
  'x509Certificates.value eq "TUlJ"',
];

const validForGroups = ['displayName eq "Group One"', 'externalId eq "x"', 'members[value eq "2819c223"]', 'members eq "2819c223"', 'members.$ref pr', 'id eq "1"'];

describe('validateFilter accepts', () => {
  it.each(validForUsers)('User: %s', (text) => {
    expect(() => validateFilter(parseFilter(text), users)).not.toThrow();
  });
  it.each(validForGroups)('Group: %s', (text) => {
    expect(() => validateFilter(parseFilter(text), groups)).not.toThrow();
  });
});

const invalid: { input: string; type?: 'Group'; detail: RegExp }[] = [
  { input: 'foo eq "x"', detail: /^unknown attribute "foo" for User resources$/ },
  { input: 'emails.foo eq "x"', detail: /^unknown attribute "emails.foo"/ },
  { input: `${ENT}:foo pr`, detail: /^unknown attribute/ },
  { input: 'urn:example:unknown:2.0:User:userName eq "x"', detail: /^unknown attribute/ },
  { input: 'userName eq "x"', type: 'Group', detail: /^unknown attribute "userName" for Group resources$/ },
  { input: 'active gt true', detail: /^operator "gt" does not apply to the boolean attribute "active"$/ },
  { input: 'active le false', detail: /^operator "le" does not apply to the boolean attribute/ },
  { input: 'active co "t"', detail: /^operator "co" does not apply to the boolean attribute/ },
  { input: 'active eq "yes"', detail: /^"active eq" needs true or false, not "yes"$/ },
  { input: 'active eq 1', detail: /^"active eq" needs true or false, not 1$/ },
  { input: 'emails[primary gt true]', detail: /^operator "gt" does not apply to the boolean attribute "primary"$/ },
  { input: 'name eq "x"', detail: /^the complex attribute "name" cannot be compared; name one of its sub-attributes$/ },
  { input: 'name gt "x"', detail: /^the complex attribute "name" cannot be compared/ },
  { input: 'meta lt "2011-05-13"', detail: /^the complex attribute "meta" cannot be compared/ },
  { input: 'addresses co "x"', detail: /^the complex attribute "addresses" cannot be compared/ },
  { input: 'userName eq 1', detail: /^"userName eq" needs a string, not 1$/ },
  { input: 'userName eq true', detail: /^"userName eq" needs a string, not true$/ },
  { input: 'userName gt null', detail: /^"userName gt" cannot take null$/ },
  { input: `${TEST_EXT}:level eq "3"`, detail: /needs a number, not "3"$/ },
  { input: `${TEST_EXT}:level eq 1.5`, detail: /needs an integer, not 1.5$/ },
  { input: `${TEST_EXT}:score co 1`, detail: /^operator "co" does not apply to the number attribute/ },
  { input: 'meta.created co "2011"', detail: /^operator "co" does not apply to the dateTime attribute "meta.created"$/ },
  { input: 'meta.created gt "yesterday"', detail: /needs a dateTime string such as "2011-05-13T04:42:34Z", not "yesterday"$/ },
  { input: 'meta.created gt "2011-02-30T00:00:00Z"', detail: /needs a dateTime string/ },
  { input: 'meta.created gt "2011-05-13T25:00:00Z"', detail: /needs a dateTime string/ },
  { input: 'meta.lastModified eq 20110513', detail: /needs a dateTime string/ },
  { input: 'x509Certificates.value gt "x"', detail: /^operator "gt" does not apply to the binary attribute/ },
  // A filter must not become an oracle for a never-returned attribute.
  { input: 'password eq "secret"', detail: /^attribute "password" cannot be filtered$/ },
  { input: 'password pr', detail: /^attribute "password" cannot be filtered$/ },
  { input: 'emails[foo eq "x"]', detail: /^unknown sub-attribute "foo" of "emails"$/ },
  { input: 'emails[type.x eq "x"]', detail: /must be a plain sub-attribute name$/ },
  { input: 'emails[urn:ietf:params:scim:schemas:core:2.0:User:type eq "x"]', detail: /must be a plain sub-attribute name$/ },
  { input: 'userName[value eq "x"]', detail: /^"userName" is neither complex nor multi-valued; it takes no value filter$/ },
  { input: 'foo[value eq "x"]', detail: /^unknown attribute "foo"/ },
  { input: `${TEST_EXT}:tags[type eq "x"]`, detail: /has simple values; address them as "value"/ },
];

describe('validateFilter rejects', () => {
  it.each(invalid)('$input → 400 invalidFilter', ({ input, type, detail }) => {
    const error = scimErrorOf(() => validateFilter(parseFilter(input), type === 'Group' ? groups : users));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
    expect(error.message).toMatch(detail);
  });

  it('rejects a value path nested in a value path (not producible by the parser)', () => {
    const nested = vp(path('emails'), vp(path('type'), pr(path('value'))));
    const error = scimErrorOf(() => validateFilter(nested, users));
    expect([error.scimType, error.message]).toEqual(['invalidFilter', 'value filters cannot be nested ("type[...]" inside "emails[...]")']);
  });
});

describe('validateValueFilter', () => {
  it('checks paths relative to the parent attribute', () => {
    expect(() => validateValueFilter(cmp(path('value'), 'eq', 'x'), membersDef)).not.toThrow();
    expect(() => validateValueFilter(cmp(path('TYPE'), 'eq', 'User'), membersDef)).not.toThrow();
    const error = scimErrorOf(() => validateValueFilter(cmp(path('valu'), 'eq', 'x'), membersDef));
    expect([error.status, error.scimType, error.message]).toEqual([400, 'invalidFilter', 'unknown sub-attribute "valu" of "members"']);
  });

  it('lets the PATCH engine choose the error', () => {
    const error = scimErrorOf(() => validateValueFilter(cmp(path('valu'), 'eq', 'x'), membersDef, invalidPath));
    expect([error.status, error.scimType]).toEqual([400, 'invalidPath']);
  });
});

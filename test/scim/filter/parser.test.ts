import { describe, expect, it } from 'vitest';
import type { FilterNode } from '../../../src/scim/filter/ast.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS, parseFilter } from '../../../src/scim/filter/index.js';
import { ScimError } from '../../../src/scim/errors.js';
import { and, cmp, ENT, FIFTEEN_FIVE, not, or, path, pr, scimErrorOf, vp } from './fixtures.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT_URI = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// Every example filter of RFC 7644 §3.4.2.2, in the order the RFC lists them.
const rfcExamples: { input: string; expected: FilterNode }[] = [
  { input: 'userName Eq "john"', expected: cmp(path('userName'), 'eq', 'john') },
  { input: 'Username eq "john"', expected: cmp(path('Username'), 'eq', 'john') },
  { input: 'userName eq "bjensen"', expected: cmp(path('userName'), 'eq', 'bjensen') },
  { input: `name.familyName co "O'Malley"`, expected: cmp(path('name', 'familyName'), 'co', "O'Malley") },
  { input: 'userName sw "J"', expected: cmp(path('userName'), 'sw', 'J') },
  { input: `${CORE_USER}:userName sw "J"`, expected: cmp(path('userName', undefined, CORE_USER), 'sw', 'J') },
  { input: 'title pr', expected: pr(path('title')) },
  { input: 'meta.lastModified gt "2011-05-13T04:42:34Z"', expected: cmp(path('meta', 'lastModified'), 'gt', '2011-05-13T04:42:34Z') },
  { input: 'meta.lastModified ge "2011-05-13T04:42:34Z"', expected: cmp(path('meta', 'lastModified'), 'ge', '2011-05-13T04:42:34Z') },
  { input: 'meta.lastModified lt "2011-05-13T04:42:34Z"', expected: cmp(path('meta', 'lastModified'), 'lt', '2011-05-13T04:42:34Z') },
  { input: 'meta.lastModified le "2011-05-13T04:42:34Z"', expected: cmp(path('meta', 'lastModified'), 'le', '2011-05-13T04:42:34Z') },
  { input: 'title pr and userType eq "Employee"', expected: and(pr(path('title')), cmp(path('userType'), 'eq', 'Employee')) },
  { input: 'title pr or userType eq "Intern"', expected: or(pr(path('title')), cmp(path('userType'), 'eq', 'Intern')) },
  { input: `schemas eq "${ENT_URI}"`, expected: cmp(path('schemas'), 'eq', ENT_URI) },
  {
    input: 'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    expected: and(
      cmp(path('userType'), 'eq', 'Employee'),
      or(cmp(path('emails'), 'co', 'example.com'), cmp(path('emails', 'value'), 'co', 'example.org')),
    ),
  },
  {
    input: 'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    expected: and(
      cmp(path('userType'), 'ne', 'Employee'),
      not(or(cmp(path('emails'), 'co', 'example.com'), cmp(path('emails', 'value'), 'co', 'example.org'))),
    ),
  },
  {
    input: 'userType eq "Employee" and (emails.type eq "work")',
    expected: and(cmp(path('userType'), 'eq', 'Employee'), cmp(path('emails', 'type'), 'eq', 'work')),
  },
  {
    input: 'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    expected: and(
      cmp(path('userType'), 'eq', 'Employee'),
      vp(path('emails'), and(cmp(path('type'), 'eq', 'work'), cmp(path('value'), 'co', '@example.com'))),
    ),
  },
  {
    input: 'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    expected: or(
      vp(path('emails'), and(cmp(path('type'), 'eq', 'work'), cmp(path('value'), 'co', '@example.com'))),
      vp(path('ims'), and(cmp(path('type'), 'eq', 'xmpp'), cmp(path('value'), 'co', '@foo.com'))),
    ),
  },
];

// What Microsoft Entra ID sends (ENTRA.md #1, #8); express has already decoded "+" to a space.
const entraForms: { input: string; expected: FilterNode }[] = [
  { input: 'userName eq "a@b.com"', expected: cmp(path('userName'), 'eq', 'a@b.com') },
  { input: 'externalId eq "x"', expected: cmp(path('externalId'), 'eq', 'x') },
  { input: 'displayName eq "Group One"', expected: cmp(path('displayName'), 'eq', 'Group One') },
  { input: 'id eq "123" and manager eq "456"', expected: and(cmp(path('id'), 'eq', '123'), cmp(path('manager'), 'eq', '456')) },
  { input: 'userName eq "5b50f2c6-1f2a-4bc4-a6e3-2fbf5e0a5c3b"', expected: cmp(path('userName'), 'eq', '5b50f2c6-1f2a-4bc4-a6e3-2fbf5e0a5c3b') },
  // "+" is an ordinary character once express has decoded the query string.
  { input: 'displayName eq "a+b"', expected: cmp(path('displayName'), 'eq', 'a+b') },
];

const grammar: { input: string; expected: FilterNode }[] = [
  // precedence: not > and > or; chains associate to the left
  { input: 'a pr or b pr and c pr', expected: or(pr(path('a')), and(pr(path('b')), pr(path('c')))) },
  { input: 'a pr and b pr or c pr', expected: or(and(pr(path('a')), pr(path('b'))), pr(path('c'))) },
  { input: 'a pr or b pr or c pr', expected: or(or(pr(path('a')), pr(path('b'))), pr(path('c'))) },
  { input: 'a pr and b pr and c pr', expected: and(and(pr(path('a')), pr(path('b'))), pr(path('c'))) },
  { input: 'not (a pr) and b pr', expected: and(not(pr(path('a'))), pr(path('b'))) },
  { input: 'a pr and (b pr or c pr)', expected: and(pr(path('a')), or(pr(path('b')), pr(path('c')))) },
  { input: 'not(a pr)', expected: not(pr(path('a'))) },
  { input: 'not (not (a pr))', expected: not(not(pr(path('a')))) },
  { input: '((a pr))', expected: pr(path('a')) },
  { input: ' ( a pr )\t AND\n( b pr ) ', expected: and(pr(path('a')), pr(path('b'))) },
  // keywords and values in any case
  {
    input: 'a PR aNd b Eq TRUE Or c nE NuLL and d eq False',
    expected: or(and(pr(path('a')), cmp(path('b'), 'eq', true)), and(cmp(path('c'), 'ne', null), cmp(path('d'), 'eq', false))),
  },
  // every operator
  ...(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const).map((op) => ({
    input: `title ${op} "x"`,
    expected: cmp(path('title'), op, 'x'),
  })),
  // JSON numbers
  { input: 'level eq 0', expected: cmp(path('level'), 'eq', 0) },
  { input: 'level gt -12', expected: cmp(path('level'), 'gt', -12) },
  { input: 'score le 4.5', expected: cmp(path('score'), 'le', 4.5) },
  { input: 'score lt -1.5e3', expected: cmp(path('score'), 'lt', -1500) },
  { input: 'score lt 2E+2', expected: cmp(path('score'), 'lt', 200) },
  // JSON string escapes
  {
    input: String.raw`title eq "q\"b\\s\/n\bb\ff\nn\rr\tt\u00e9\uD83D\uDE00"`,
    expected: cmp(path('title'), 'eq', 'q"b\\s/n\bb\ff\nn\rr\tt\u00e9\u{1F600}'),
  },
  { input: 'title eq ""', expected: cmp(path('title'), 'eq', '') },
  { input: 'title eq "and or not ( ) [ ]"', expected: cmp(path('title'), 'eq', 'and or not ( ) [ ]') },
  // URN-qualified paths, split at the last ':' before the attribute name
  { input: `${ENT}:manager.value eq "m1"`, expected: cmp(path('manager', 'value', ENT_URI), 'eq', 'm1') },
  { input: `${ENT}:employeeNumber pr`, expected: pr(path('employeeNumber', undefined, ENT_URI)) },
  { input: `${FIFTEEN_FIVE}:startDate eq "01/02/2020"`, expected: cmp(path('startDate', undefined, FIFTEEN_FIVE), 'eq', '01/02/2020') },
  { input: `${ENT}:manager[value eq "m1"]`, expected: vp(path('manager', undefined, ENT_URI), cmp(path('value'), 'eq', 'm1')) },
  // names with "-", "_", digits, and $ref
  { input: 'x-a_1.b-2 pr', expected: pr(path('x-a_1', 'b-2')) },
  { input: 'members[$ref pr]', expected: vp(path('members'), pr(path('$ref'))) },
  { input: 'groups.$ref sw "https"', expected: cmp(path('groups', '$ref'), 'sw', 'https') },
  // value paths: any inner filter, with spaces around the brackets' content
  { input: 'emails[not (type eq "work")]', expected: vp(path('emails'), not(cmp(path('type'), 'eq', 'work'))) },
  { input: 'emails[ type eq "work" or primary eq true ]', expected: vp(path('emails'), or(cmp(path('type'), 'eq', 'work'), cmp(path('primary'), 'eq', true))) },
  { input: 'not (emails[type eq "work"])', expected: not(vp(path('emails'), cmp(path('type'), 'eq', 'work'))) },
];

describe('parseFilter', () => {
  it.each(rfcExamples)('RFC 7644 example: $input', ({ input, expected }) => {
    expect(parseFilter(input)).toStrictEqual(expected);
  });

  it.each(entraForms)('Entra form: $input', ({ input, expected }) => {
    expect(parseFilter(input)).toStrictEqual(expected);
  });

  it.each(grammar)('$input', ({ input, expected }) => {
    expect(parseFilter(input)).toStrictEqual(expected);
  });

  it('accepts nesting up to the depth limit and terms up to the term limit', () => {
    const deep = `${'('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}`;
    expect(parseFilter(deep)).toStrictEqual(pr(path('a')));
    const many = Array.from({ length: MAX_FILTER_TERMS }, () => 'a pr').join(' or ');
    expect(parseFilter(many).kind).toBe('or');
  });
});

const errors: { name: string; input: string; detail: RegExp }[] = [
  { name: 'unbalanced "("', input: '(userName eq "a"', detail: /^expected "\)" at position 17 to close "\(" at position 1, found end of input$/ },
  { name: 'unbalanced ")"', input: 'userName eq "a")', detail: /^unexpected "\)" at position 16$/ },
  { name: 'unbalanced "[" ', input: 'emails[type eq "work"', detail: /^expected "\]" at position 22/ },
  { name: 'missing value', input: 'userName eq', detail: /^missing value after "eq" at position 12$/ },
  { name: 'missing value before ")"', input: '(userName eq)', detail: /^expected a value .* at position 13, found "\)"$/ },
  { name: 'unknown operator', input: 'userName zz "a"', detail: /^unknown operator "zz" at position 10$/ },
  { name: 'missing operator', input: 'userName', detail: /^expected an operator at position 9, found end of input$/ },
  { name: 'string as operator', input: 'userName "a"', detail: /^expected an operator at position 10/ },
  { name: 'unterminated string', input: 'userName eq "abc', detail: /^unterminated string starting at position 13$/ },
  { name: 'bad escape', input: String.raw`userName eq "a\x"`, detail: /^invalid escape "\\x" in string at position 15$/ },
  { name: 'short \\u escape', input: String.raw`userName eq "\u12"`, detail: /^invalid \\u escape in string at position 14/ },
  { name: 'raw control character', input: 'userName eq "a\u0001"', detail: /^control character in string at position 15/ },
  { name: 'trailing junk', input: 'userName eq "a" junk', detail: /^unexpected "junk" at position 17$/ },
  { name: 'junk glued to a string', input: 'userName eq "a"x', detail: /^unexpected "x" at position 16$/ },
  { name: '"not" without parentheses', input: 'not userName eq "a"', detail: /^"not" at position 1 must be followed by a filter in parentheses$/ },
  { name: 'dangling "and"', input: 'userName pr and', detail: /^expected an attribute path at position 16, found end of input$/ },
  { name: 'leading "and"', input: 'and userName pr', detail: /^expected an attribute path at position 1, found "and"$/ },
  { name: 'double "or"', input: 'a pr or or b pr', detail: /^expected an attribute path at position 9, found "or"$/ },
  { name: 'bare word value', input: 'userName eq john', detail: /^expected a value .* found "john"$/ },
  { name: 'single-quoted value', input: "userName eq 'john'", detail: /^expected a value/ },
  { name: 'non-JSON number', input: 'level eq 01', detail: /^expected a value/ },
  { name: 'number out of range', input: 'level eq 1e999', detail: /^number "1e999" at position 10 is out of range$/ },
  { name: 'path starting with a digit', input: '1abc eq "x"', detail: /^invalid attribute path "1abc" at position 1$/ },
  { name: 'path with two dots', input: 'a.b.c eq "x"', detail: /^invalid attribute path "a.b.c"/ },
  { name: 'URN with an empty segment', input: 'urn:a::b eq "x"', detail: /^invalid attribute path/ },
  { name: 'URN without a name', input: `${ENT}: eq "x"`, detail: /^invalid attribute path/ },
  { name: 'string where a path belongs', input: '"userName" eq "x"', detail: /^expected an attribute path at position 1, found string "userName"$/ },
  { name: 'empty parentheses', input: '()', detail: /^expected an attribute path at position 2, found "\)"$/ },
  { name: 'sub-attribute after a value path', input: 'emails[type eq "work"].value eq "x"', detail: /^a sub-attribute after "\]" at position 23 is not allowed/ },
  { name: 'nested value paths', input: 'emails[type[value pr]]', detail: /^value filters cannot be nested at position 12$/ },
  { name: 'value path on a sub-attribute', input: 'name.givenName[value pr]', detail: /^a value filter applies to an attribute, not to the sub-attribute "givenName"/ },
  { name: 'empty filter', input: '', detail: /^filter is empty$/ },
  { name: 'blank filter', input: '  \t ', detail: /^filter is empty$/ },
  { name: 'huge input', input: `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`, detail: /^filter is longer than 8192 characters$/ },
  { name: 'deep nesting', input: `${'('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`, detail: /^filter nested deeper than 64 levels at position 65$/ },
  { name: 'deep "not" nesting', input: `${'not ('.repeat(100)}a pr${')'.repeat(100)}`, detail: /^filter nested deeper than 64 levels/ },
  { name: 'too many terms', input: Array.from({ length: MAX_FILTER_TERMS + 1 }, () => 'a pr').join(' or '), detail: /^filter has more than 200 attribute expressions$/ },
];

describe('parseFilter errors', () => {
  it.each(errors)('$name → 400 invalidFilter', ({ input, detail }) => {
    const error = scimErrorOf(() => parseFilter(input));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
    expect(error.message).toMatch(detail);
  });

  it('refuses a value that is not one string (a repeated query parameter)', () => {
    const error = scimErrorOf(() => parseFilter(['a pr', 'b pr'] as unknown as string));
    expect([error.status, error.scimType, error.message]).toEqual([400, 'invalidFilter', 'filter must be a single string']);
  });

  it('quotes client text in messages only briefly', () => {
    const error = scimErrorOf(() => parseFilter(`userName ${'z'.repeat(500)} "a"`));
    expect(error.message.length).toBeLessThan(100);
  });
});

/** A tiny deterministic PRNG so the hostile-input loop is reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('parseFilter on hostile input', () => {
  const pieces = ['a', 'emails', '.', 'value', ':', 'urn', ' ', ' eq ', ' pr', ' and ', ' or ', 'not', '(', ')', '[', ']', '"', '\\', 'u', '1', '-', 'e', 'true', 'null', '$ref', '\u0000', 'é'];

  it('answers every input with a tree or a 400 invalidFilter, never another error', () => {
    const random = prng(7644);
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const length = 1 + Math.floor(random() * 30);
      let text = '';
      for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)];
      try {
        parseFilter(text);
        parsed += 1;
      } catch (e) {
        expect(e).toBeInstanceOf(ScimError);
        expect((e as ScimError).scimType).toBe('invalidFilter');
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });

  it.each([
    { name: 'many "("', input: '('.repeat(MAX_FILTER_LENGTH) },
    { name: 'many "["', input: `a${'['.repeat(MAX_FILTER_LENGTH - 1)}` },
    { name: 'a long unterminated string', input: `a eq "${'\\u0041'.repeat(1300)}` },
    { name: 'a long and-chain', input: Array.from({ length: 900 }, () => 'a pr').join(' and ').slice(0, MAX_FILTER_LENGTH) },
    { name: 'a long invalid path', input: `${'a:'.repeat(4000)}b.c.d pr` },
  ])('fails fast on $name', ({ input }) => {
    const started = performance.now();
    const error = scimErrorOf(() => parseFilter(input));
    expect(error.scimType).toBe('invalidFilter');
    expect(performance.now() - started).toBeLessThan(200);
  });
});

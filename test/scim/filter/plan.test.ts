import { describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter, planFilter, validateFilter, type FilterPlan } from '../../../src/scim/filter/index.js';
import { foldCase, type IndexedField, type JsonObject, type StoreCondition } from '../../../src/store/types.js';
import { and, cmp, ENT, groups, not, or, path, pr, scimErrorOf, users, vp } from './fixtures.js';

const userRows: { filter: string; expected: FilterPlan }[] = [
  // Entra's lookups go down whole; folded fields carry folded values
  { filter: 'userName eq "A@B.com"', expected: { condition: { op: 'eq', field: 'userName', value: 'a@b.com' } } },
  { filter: 'Username EQ "X"', expected: { condition: { op: 'eq', field: 'userName', value: 'x' } } },
  { filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', expected: { condition: { op: 'sw', field: 'userName', value: 'j' } } },
  { filter: 'externalId eq "AbC"', expected: { condition: { op: 'eq', field: 'externalId', value: 'AbC' } } },
  { filter: 'displayName co "Babs"', expected: { condition: { op: 'co', field: 'displayName', value: 'babs' } } },
  { filter: 'id ne "ID-1"', expected: { condition: { op: 'ne', field: 'id', value: 'ID-1' } } },
  { filter: 'userName pr', expected: { condition: { op: 'pr', field: 'userName' } } },
  // dateTimes normalized to ISO instants with milliseconds
  { filter: 'meta.created gt "2011-05-13T04:42:34Z"', expected: { condition: { op: 'gt', field: 'created', value: '2011-05-13T04:42:34.000Z' } } },
  { filter: 'meta.lastModified le "2011-05-13T06:42:34.5+02:00"', expected: { condition: { op: 'le', field: 'lastModified', value: '2011-05-13T04:42:34.500Z' } } },
  { filter: 'meta.lastModified ge "2011-05-13"', expected: { condition: { op: 'ge', field: 'lastModified', value: '2011-05-13T00:00:00.000Z' } } },
  // Entra's manager probe: id goes down, manager stays in memory
  {
    filter: 'id eq "123" and manager eq "456"',
    expected: { condition: { op: 'eq', field: 'id', value: '123' }, residual: cmp(path('manager'), 'eq', '456') },
  },
  // or / not go down whole or not at all
  {
    filter: 'userName eq "a" or externalId eq "b"',
    expected: {
      condition: { op: 'or', left: { op: 'eq', field: 'userName', value: 'a' }, right: { op: 'eq', field: 'externalId', value: 'b' } },
    },
  },
  { filter: 'userName eq "a" or title eq "b"', expected: { residual: or(cmp(path('userName'), 'eq', 'a'), cmp(path('title'), 'eq', 'b')) } },
  { filter: 'not (userName eq "A")', expected: { condition: { op: 'not', condition: { op: 'eq', field: 'userName', value: 'a' } } } },
  { filter: 'not (title pr)', expected: { residual: not(pr(path('title'))) } },
  // and: each conjunct that can go down does, in order; the rest stays
  {
    filter: 'title pr and userName sw "J" and externalId ne "x"',
    expected: {
      condition: { op: 'and', left: { op: 'sw', field: 'userName', value: 'j' }, right: { op: 'ne', field: 'externalId', value: 'x' } },
      residual: pr(path('title')),
    },
  },
  {
    filter: '(userName eq "a" or title pr) and id eq "1" and active eq true',
    expected: {
      condition: { op: 'eq', field: 'id', value: '1' },
      residual: and(or(cmp(path('userName'), 'eq', 'a'), pr(path('title'))), cmp(path('active'), 'eq', true)),
    },
  },
  {
    filter: 'emails[type eq "work"] and userName eq "x"',
    expected: { condition: { op: 'eq', field: 'userName', value: 'x' }, residual: vp(path('emails'), cmp(path('type'), 'eq', 'work')) },
  },
  {
    filter: 'userName eq "a" and (externalId eq "b" and id eq "c")',
    expected: {
      condition: {
        op: 'and',
        left: { op: 'eq', field: 'userName', value: 'a' },
        right: { op: 'and', left: { op: 'eq', field: 'externalId', value: 'b' }, right: { op: 'eq', field: 'id', value: 'c' } },
      },
    },
  },
  // nothing indexed, or values the store cannot compare: all in memory
  { filter: 'title eq "x"', expected: { residual: cmp(path('title'), 'eq', 'x') } },
  { filter: 'userName eq null', expected: { residual: cmp(path('userName'), 'eq', null) } },
  { filter: `${ENT}:employeeNumber eq "1"`, expected: { residual: cmp(path('employeeNumber', undefined, ENT), 'eq', '1') } },
  { filter: 'name.givenName eq "x"', expected: { residual: cmp(path('name', 'givenName'), 'eq', 'x') } },
  { filter: 'meta.version eq "x"', expected: { residual: cmp(path('meta', 'version'), 'eq', 'x') } },
];

const groupRows: { filter: string; expected: FilterPlan }[] = [
  { filter: 'displayName eq "Group One"', expected: { condition: { op: 'eq', field: 'displayName', value: 'group one' } } },
  { filter: 'externalId eq "G-1"', expected: { condition: { op: 'eq', field: 'externalId', value: 'G-1' } } },
  {
    filter: 'displayName eq "G" and members[value eq "u1"]',
    expected: { condition: { op: 'eq', field: 'displayName', value: 'g' }, residual: vp(path('members'), cmp(path('value'), 'eq', 'u1')) },
  },
];

describe('planFilter', () => {
  it.each(userRows)('User: $filter', ({ filter, expected }) => {
    const node = parseFilter(filter);
    validateFilter(node, users);
    expect(planFilter(node, users)).toStrictEqual(expected);
  });

  it.each(groupRows)('Group: $filter', ({ filter, expected }) => {
    const node = parseFilter(filter);
    validateFilter(node, groups);
    expect(planFilter(node, groups)).toStrictEqual(expected);
  });

  it('does not push userName down for groups (unresolvable there)', () => {
    expect(planFilter(parseFilter('userName eq "x"'), groups)).toStrictEqual({ residual: cmp(path('userName'), 'eq', 'x') });
  });

  it('rejects an invalid dateTime it would push down', () => {
    const error = scimErrorOf(() => planFilter(parseFilter('meta.created gt "not a date"'), users));
    expect([error.status, error.scimType]).toEqual([400, 'invalidFilter']);
  });
});

/**
 * A reference store: the semantics every Store must give StoreCondition (absent → comparisons false,
 * `ne` true, `pr` false; "" is not present), over the indexed fields derived from a resource.
 */
function storeFields(resource: JsonObject): Partial<Record<IndexedField, string>> {
  const meta = (resource.meta ?? {}) as JsonObject;
  const out: Partial<Record<IndexedField, string>> = {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const put = (field: IndexedField, v: string | undefined) => {
    if (v !== undefined) out[field] = v;
  };
  put('id', str(resource.id));
  put('userName', str(resource.userName) && foldCase(resource.userName as string));
  put('externalId', str(resource.externalId));
  put('displayName', str(resource.displayName) && foldCase(resource.displayName as string));
  put('created', str(meta.created) && new Date(meta.created as string).toISOString());
  put('lastModified', str(meta.lastModified) && new Date(meta.lastModified as string).toISOString());
  return out;
}

function storeMatches(c: StoreCondition, fields: Partial<Record<IndexedField, string>>): boolean {
  switch (c.op) {
    case 'and':
      return storeMatches(c.left, fields) && storeMatches(c.right, fields);
    case 'or':
      return storeMatches(c.left, fields) || storeMatches(c.right, fields);
    case 'not':
      return !storeMatches(c.condition, fields);
    case 'pr':
      return fields[c.field] !== undefined && fields[c.field] !== '';
    default: {
      const v = fields[c.field];
      if (v === undefined) return c.op === 'ne';
      const w = c.value;
      return {
        eq: v === w,
        ne: v !== w,
        co: v.includes(w),
        sw: v.startsWith(w),
        ew: v.endsWith(w),
        gt: v > w,
        ge: v >= w,
        lt: v < w,
        le: v <= w,
      }[c.op];
    }
  }
}

describe('planFilter agrees with the evaluator', () => {
  const people: JsonObject[] = [
    { id: 'u1', userName: 'Alice@Example.com', externalId: 'A-1', displayName: 'Alice', title: 'Boss', meta: { created: '2020-01-01T00:00:00.000Z', lastModified: '2021-06-01T12:00:00.000Z' } },
    { id: 'u2', userName: 'bob@example.com', displayName: 'Bob B', active: false, meta: { created: '2020-02-01T00:00:00.000Z', lastModified: '2020-02-01T00:00:00.000Z' } },
    { id: 'U3', userName: 'carol', externalId: 'a-1', title: '', emails: [{ value: 'c@x.org', type: 'work' }], meta: { created: '2019-12-31T23:59:59.999Z', lastModified: '2022-01-01T00:00:00.000Z' } },
    { id: 'u4', userName: 'Dave', externalId: '', displayName: 'dave', [ENT]: { manager: { value: 'u1' } }, meta: { created: '2020-01-01T00:00:00.000Z', lastModified: '2020-01-01T00:00:00.000Z' } },
  ];
  const filters = [
    'userName eq "alice@example.com"',
    'userName sw "B" or externalId eq "A-1"',
    'externalId pr',
    'externalId ne "A-1"',
    'not (externalId eq "a-1")',
    'displayName pr and not (displayName co "b")',
    'meta.created ge "2020-01-01T00:00:00Z" and meta.created lt "2020-02-01"',
    'meta.lastModified gt "2020-06-01T14:00:00+02:00" and title pr',
    'id eq "u4" and manager eq "u1"',
    'id gt "u" and (title eq "Boss" or active eq false)',
    'userName lt "c" and emails[type eq "work"] or displayName eq "DAVE"',
    'not (userName pr) or not (id sw "u")',
  ];
  it.each(filters)('%s', (text) => {
    const node = parseFilter(text);
    validateFilter(node, users);
    const { condition, residual } = planFilter(node, users);
    for (const person of people) {
      const viaStore = (!condition || storeMatches(condition, storeFields(person))) && (!residual || matchesFilter(person, residual, users));
      expect(viaStore, `${text} on ${String(person.id)}`).toBe(matchesFilter(person, node, users));
    }
  });
});

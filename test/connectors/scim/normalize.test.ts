/**
 * Extension normalization: every date form a directory sends becomes the app's layout, and the app's
 * form comes back as ISO; URN renames, attribute moves, case and join/split, both ways; bad rules stop
 * the load, bad values are 400 invalidValue.
 */
import { describe, expect, it } from 'vitest';
import { compileNormalizer, normalizeSection, type NormalizeInput } from '../../../src/normalize/index.js';
import { ScimError } from '../../../src/scim/errors.js';

const FIVE = 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User';
const TENANT = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

function compile(input: unknown) {
  const problems: string[] = [];
  const normalizer = compileNormalizer(normalizeSection.parse(input) as NormalizeInput, 'apps.x.normalize', problems);
  return { normalizer, problems };
}

const dates = compile({ values: [{ path: `${FIVE}:startDate`, date: 'MM/DD/YYYY' }] }).normalizer!;
const withStart = (startDate: unknown) => ({ schemas: [USER, FIVE], userName: 'a', [FIVE]: { startDate } });

describe('dates', () => {
  it.each([
    ['2026-03-01', '03/01/2026'],
    ['2026-03-01T00:00:00Z', '03/01/2026'],
    ['2026-03-01T00:00:00.0000000Z', '03/01/2026'],
    ['2026-03-01T23:30:00-08:00', '03/01/2026'], // the calendar day as written, not the UTC instant's
    ['20260301000000.0Z', '03/01/2026'], // AD generalized time
    ['20260301000000Z', '03/01/2026'],
    ['202603010000Z', '03/01/2026'],
    ['20261231235959.0-0500', '12/31/2026'],
    ['03/01/2026', '03/01/2026'], // already the app's form
    ['2024-02-29', '02/29/2024'],
  ])('%s → %s', (sent, app) => {
    expect(dates.toApp(withStart(sent))[FIVE]).toEqual({ startDate: app });
  });

  it.each(['2026-02-30', '2026-13-01', 'March 1st', '', '20260230000000.0Z', '2026-03-01T25:00:00Z', 'x'.repeat(100), '13/01/2026'])('%j is 400 invalidValue', (sent) => {
    const error = (() => {
      try {
        dates.toApp(withStart(sent));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });

  it('a date that is not a string is 400; absent or null is left alone', () => {
    expect(() => dates.toApp(withStart(20260301))).toThrow(/must be a date string/);
    expect(dates.toApp({ schemas: [USER], userName: 'a' })).toEqual({ schemas: [USER], userName: 'a' });
    expect(dates.toApp(withStart(null))[FIVE]).toEqual({ startDate: null });
  });

  it("the app's form reads back as ISO; what it cannot read stays as is", () => {
    expect(dates.fromApp(withStart('03/01/2026'))[FIVE]).toEqual({ startDate: '2026-03-01' });
    expect(dates.fromApp(withStart('soon'))[FIVE]).toEqual({ startDate: 'soon' });
  });

  it('does not change its input', () => {
    const input = withStart('2026-03-01');
    dates.toApp(input);
    expect(input).toEqual(withStart('2026-03-01'));
  });
});

describe('URNs and attributes', () => {
  const { normalizer } = compile({
    urns: [{ from: TENANT, to: FIVE }],
    attributes: [
      { from: `${ENTERPRISE}:department`, to: `${FIVE}:location` },
      { from: 'nickName', to: 'displayName' },
    ],
    values: [{ path: `${FIVE}:hireDate`, date: 'MM/DD/YYYY' }],
  });

  it("a tenant's extension is sent under the app's URN, values converted, attributes moved; schemas follow", () => {
    const sent = {
      schemas: [USER, TENANT, ENTERPRISE],
      userName: 'a',
      nickName: 'Al',
      [TENANT]: { hireDate: '20260301000000.0Z' },
      [ENTERPRISE]: { department: 'Berlin' },
    };
    expect(normalizer!.toApp(sent)).toEqual({
      schemas: [USER, FIVE],
      userName: 'a',
      displayName: 'Al',
      [FIVE]: { hireDate: '03/01/2026', location: 'Berlin' },
    });
  });

  it("the way back gives the tenant's names", () => {
    const app = { schemas: [USER, FIVE], userName: 'a', displayName: 'Al', [FIVE]: { hireDate: '03/01/2026', location: 'Berlin' } };
    expect(normalizer!.fromApp(app)).toEqual({
      schemas: [USER, ENTERPRISE, TENANT],
      userName: 'a',
      nickName: 'Al',
      [TENANT]: { hireDate: '2026-03-01' },
      [ENTERPRISE]: { department: 'Berlin' },
    });
  });

  it('URN keys are matched ignoring case', () => {
    expect(normalizer!.toApp({ schemas: [USER], [TENANT.toLowerCase()]: { hireDate: '2026-03-01' } })[FIVE]).toEqual({ hireDate: '03/01/2026' });
  });
});

describe('case, join and split', () => {
  const { normalizer } = compile({
    values: [
      { path: 'userName', case: 'lower' },
      { path: 'title', case: 'upper' },
      { path: `${FIVE}:location`, join: ', ' },
      { path: 'nickName', split: ' ' },
    ],
  });

  it('down: the app’s case, a list joined, a string split', () => {
    const out = normalizer!.toApp({ schemas: [USER, FIVE], userName: 'Ada@ACME.example', title: 'cto', nickName: 'a b', [FIVE]: { location: ['Berlin', 'BE', 'DE'] } });
    expect(out).toEqual({ schemas: [USER, FIVE], userName: 'ada@acme.example', title: 'CTO', nickName: ['a', 'b'], [FIVE]: { location: 'Berlin, BE, DE' } });
  });

  it('up: joined split again, split joined again; case is not undone (the gateway answers what the client sent)', () => {
    const out = normalizer!.fromApp({ schemas: [USER, FIVE], userName: 'ada@acme.example', nickName: ['a', 'b'], [FIVE]: { location: 'Berlin, BE, DE' } });
    expect(out).toEqual({ schemas: [USER, FIVE], userName: 'ada@acme.example', nickName: 'a b', [FIVE]: { location: ['Berlin', 'BE', 'DE'] } });
  });
});

describe('rules are checked at load', () => {
  it.each([
    [{ values: [{ path: 'x', date: 'DD.MM' }] }, 'values.0.date: date layout "DD.MM" must contain YYYY'],
    [{ urns: [{ from: FIVE, to: FIVE }] }, 'urns.0: "from" and "to" are the same URN'],
    [{ attributes: [{ from: 'title', to: 'Title' }] }, 'attributes.0: "from" and "to" are the same attribute'],
  ])('%j', (input, message) => {
    const { normalizer, problems } = compile(input);
    expect(normalizer).toBeUndefined();
    expect(problems).toEqual([expect.stringContaining(`apps.x.normalize.${message}`)]);
  });

  it('a value rule has exactly one kind; paths are attribute paths', () => {
    expect(normalizeSection.safeParse({ values: [{ path: 'x', case: 'lower', join: ',' }] }).success).toBe(false);
    expect(normalizeSection.safeParse({ values: [{ path: 'x' }] }).success).toBe(false);
    expect(normalizeSection.safeParse({ values: [{ path: 'a b', case: 'lower' }] }).success).toBe(false);
  });

  it('describe() says what each rule does, for validate and explain', () => {
    expect(compile({ urns: [{ from: TENANT, to: FIVE }], values: [{ path: `${FIVE}:startDate`, date: 'MM/DD/YYYY' }] }).normalizer!.describe()).toEqual([
      `urn ${TENANT} → ${FIVE}`,
      `value ${FIVE}:startDate: a date, sent as MM/DD/YYYY (ISO 8601 and AD generalized time are read)`,
    ]);
  });
});

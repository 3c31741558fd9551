/** The mapping engine with the bundled plugins: dates, round trips, references, named operations, hostile ids. */
import { describe, expect, it } from 'vitest';
import { compileMapping, mapRecord, writeFields, type MapOptions } from '../../src/plugins/mapping.js';
import { MappingError } from '../../src/plugins/operations.js';
import { compileLocationTemplate, compilePathTemplate, idFromLocation, renderPath } from '../../src/plugins/templates.js';
import type { CompiledPlugin } from '../../src/plugins/types.js';
import { ScimError } from '../../src/scim/errors.js';
import type { JsonObject } from '../../src/store/types.js';
import { bundledPlugin, ENTERPRISE, FIFTEEN_FIVE, USER } from '../connectors/rest/support.js';

const fifteen = bundledPlugin('15five');
const bamboo = bundledPlugin('bamboohr');
const hibob = bundledPlugin('hibob');
const BAMBOO_EXT = 'urn:ietf:params:scim:schemas:extension:bamboohr:2.0:User';
const HIBOB_EXT = 'urn:ietf:params:scim:schemas:extension:hibob:2.0:User';

/** The id map of the tests: SCIM `mgr` is native 42 (and back). */
const toNativeIds: MapOptions = {
  resolve: async (_type, id) => (id === 'mgr' ? '42' : undefined),
  unresolved: 'error',
  now: '2025-06-30T12:00:00.000Z',
};
const toScimIds: MapOptions = { ...toNativeIds, resolve: async (_type, id) => (id === '42' ? 'mgr' : undefined), unresolved: 'drop' };

async function toNative(plugin: CompiledPlugin, resource: JsonObject): Promise<JsonObject> {
  return writeFields(plugin.users.toNative, await mapRecord(plugin.users.toNative, resource, toNativeIds));
}

async function toScim(plugin: CompiledPlugin, native: JsonObject): Promise<JsonObject> {
  return writeFields(plugin.users.toScim, await mapRecord(plugin.users.toScim, native, toScimIds));
}

const startDate = (value: string): JsonObject => ({ schemas: [USER, FIFTEEN_FIVE], userName: 'a@b.c', [FIFTEEN_FIVE]: { startDate: value } });

describe('15Five start dates: every ISO 8601 form Entra sends becomes the update\'s timestamp of that day (the date as written)', () => {
  const forms = [
    '2024-03-05',
    '2024-03-05T00:00:00Z',
    '2024-03-05T00:00:00.000Z',
    '2024-03-05T00:00:00.0000000Z',
    '2024-03-05T08:30:00+02:00',
    '2024-03-05T23:30:00-08:00',
    '2024-03-05T00:00:00+0530',
    '2024-03-05T00:00:00',
    '2024-03-05T00:00Z',
    '2024-03-05 00:00:00',
    '2024-03-05t00:00:00z',
    '2024-03-05T00:00:00,5+02',
    '20240305',
    '20240305T000000Z',
  ];
  it.each(forms)('%s → 1709596800 (2024-03-05T00:00:00Z)', async (form) => {
    expect((await toNative(fifteen, startDate(form))).start_date_ts).toBe('1709596800');
  });

  it('keeps leap days; reads come back from MM/DD/YYYY', async () => {
    expect((await toNative(fifteen, startDate('2024-02-29'))).start_date_ts).toBe('1709164800');
    expect(await toScim(fifteen, { email: 'a@b.c', start_date: '02/29/2024' })).toMatchObject({ [FIFTEEN_FIVE]: { startDate: '2024-02-29' } });
    expect(await toScim(fifteen, { email: 'a@b.c', start_date: '01/09/0999' })).toMatchObject({ [FIFTEEN_FIVE]: { startDate: '0999-01-09' } });
  });

  const invalid = ['03/05/2024', '2023-02-29', '2024-13-01', '2024-00-10', '2024-03-05T25:00:00Z', '2024-03-05T10:61Z', 'tomorrow', '2024-3-5', `2024-03-05T00:00:00${'0'.repeat(80)}Z`];
  it.each(invalid)('refuses %s as a MappingError naming the native field', async (form) => {
    const error = await toNative(fifteen, startDate(form)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MappingError);
    expect((error as Error).message).toMatch(/^start_date_ts: .*not an ISO 8601 date$/);
  });

  it('an absent or empty start date sends no field', async () => {
    expect(await toNative(fifteen, startDate(''))).not.toHaveProperty('start_date_ts');
    expect(await toNative(fifteen, { schemas: [USER], userName: 'a@b.c' })).not.toHaveProperty('start_date_ts');
  });
});

describe('round trips SCIM → native → SCIM', () => {
  const rows: { plugin: CompiledPlugin; ext: string; dateAttr: string; extra: JsonObject; native: JsonObject; read?: (written: JsonObject) => JsonObject }[] = [
    {
      plugin: fifteen,
      ext: FIFTEEN_FIVE,
      dateAttr: 'startDate',
      extra: { [FIFTEEN_FIVE]: { startDate: '2024-03-05', location: 'Berlin' } },
      native: {
        email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', title: 'Engineer', employee_id: 'E7',
        location: 'Berlin', reviewer_id: 42, start_date_ts: '1709596800', is_active: true,
      },
      // The update takes a timestamp; a read answers the day (MM/DD/YYYY).
      read: ({ start_date_ts: _ts, ...rest }) => ({ ...rest, start_date: '03/05/2024' }),
    },
    {
      plugin: bamboo,
      ext: BAMBOO_EXT,
      dateAttr: 'hireDate',
      extra: { [BAMBOO_EXT]: { hireDate: '2024-03-05', location: 'Berlin' } },
      native: {
        firstName: 'Ada', lastName: 'Lovelace', workEmail: 'ada@example.com', jobTitle: 'Engineer', employeeNumber: 'E7',
        supervisorEId: '42', location: 'Berlin', hireDate: '2024-03-05', status: 'Active',
      },
    },
    {
      plugin: hibob,
      ext: HIBOB_EXT,
      dateAttr: 'startDate',
      extra: { [HIBOB_EXT]: { startDate: '2024-03-05', site: 'Berlin' } },
      native: {
        firstName: 'Ada', surname: 'Lovelace', email: 'ada@example.com',
        work: { title: 'Engineer', site: 'Berlin', startDate: '2024-03-05', reportsTo: { id: '42' } },
      },
    },
  ];

  it.each(rows)('$plugin.name', async ({ plugin, ext, extra, native, read }) => {
    const scim: JsonObject = {
      schemas: [USER, ENTERPRISE, ext],
      userName: 'ada@example.com',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada@example.com', primary: true }],
      title: 'Engineer',
      active: true,
      ...extra,
      [ENTERPRISE]: { employeeNumber: 'E7', manager: { value: 'mgr' } },
    };
    const mapped = await toNative(plugin, scim);
    expect(mapped).toEqual(native);
    const back = await toScim(plugin, { ...(read ? read(mapped) : mapped), state: 'employed' });
    expect(back.userName).toBe('ada@example.com');
    expect(back.emails).toEqual([{ type: 'work', value: 'ada@example.com' }]);
    expect(back.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
    expect(back.title).toBe('Engineer');
    expect(back.active).toBe(true);
    expect((back[ENTERPRISE] as JsonObject).manager).toEqual({ value: 'mgr' });
    expect(back[ext]).toEqual((extra[ext] as JsonObject));
    if (plugin !== hibob) expect((back[ENTERPRISE] as JsonObject).employeeNumber).toBe('E7');
  });

  it('inactive users map to each API\'s own inactive form', async () => {
    const user = { schemas: [USER], userName: 'a@b.c', active: false };
    expect((await toNative(fifteen, user)).is_active).toBe(false);
    expect((await toNative(bamboo, user)).status).toBe('Inactive');
    expect(await toScim(bamboo, { workEmail: 'a@b.c', status: 'Inactive' })).toMatchObject({ active: false });
    expect(await toScim(hibob, { email: 'a@b.c', state: 'terminated' })).toMatchObject({ active: false });
  });

  it('the work email wins over userName; userName is the fallback', async () => {
    const both = { schemas: [USER], userName: 'upn@corp.example', emails: [{ type: 'home', value: 'home@x.y' }, { type: 'work', value: 'work@x.y' }] };
    expect((await toNative(fifteen, both)).email).toBe('work@x.y');
    expect((await toNative(fifteen, { schemas: [USER], userName: 'upn@corp.example', emails: [{ type: 'home', value: 'h@x.y' }] })).email).toBe('upn@corp.example');
  });

  it('a manager that is unknown natively is an error going out and dropped coming back', async () => {
    const user = { schemas: [USER, ENTERPRISE], userName: 'a@b.c', [ENTERPRISE]: { manager: { value: 'stranger' } } };
    await expect(toNative(fifteen, user)).rejects.toThrow('reviewer_id: the User "stranger" has no record in the downstream system');
    expect(await toScim(fifteen, { email: 'a@b.c', reviewer_id: 99 })).not.toHaveProperty([ENTERPRISE]);
  });

  it('15Five groups: only the name is mapped, membership is each user\'s list of integer group ids', async () => {
    const groups = fifteen.groups!;
    expect(groups.members).toEqual({ on: 'user', field: 'company_groups_ids', as: 'integer' });
    expect(groups.create).toBe('never');
    const values = await mapRecord(groups.toNative, { displayName: 'Eng', members: [{ value: 'mgr' }] }, toNativeIds);
    expect(writeFields(groups.toNative, values)).toEqual({ name: 'Eng' });
  });
});

describe('rules see a normalized view: aliases for extension URNs', () => {
  const scope = fifteen.users.scope;
  const compile = (rule: unknown) => {
    const problems: { path: (string | number)[]; message: string }[] = [];
    const mapping = compileMapping('toNative', { out: { rule } }, scope, new Map([['offices', { BER: 'Berlin' }]]), problems);
    expect(problems).toEqual([]);
    return (resource: JsonObject) => mapRecord(mapping, resource, toNativeIds).then((v) => v.get('out'));
  };
  const resource: JsonObject = {
    schemas: [USER, ENTERPRISE, FIFTEEN_FIVE],
    userName: 'Ada@Example.com',
    name: { givenName: ' Ada ', familyName: 'Lovelace' },
    emails: [{ type: 'work', value: 'ada@example.com' }],
    [ENTERPRISE]: { manager: { value: 'mgr' }, employeeNumber: '7' },
    [FIFTEEN_FIVE]: { location: 'BER', startDate: '2024-03-05T00:00:00Z' },
  };

  const rows: { rule: unknown; expected: unknown }[] = [
    { rule: { var: 'enterprise.manager.value' }, expected: 'mgr' },
    { rule: { var: 'fifteen.startDate' }, expected: '2024-03-05T00:00:00Z' },
    { rule: { var: 'emails.0.value' }, expected: 'ada@example.com' },
    { rule: { lower: [{ var: 'userName' }] }, expected: 'ada@example.com' },
    { rule: { upper: [{ var: 'name.familyName' }] }, expected: 'LOVELACE' },
    { rule: { trim: [{ var: 'name.givenName' }] }, expected: 'Ada' },
    { rule: { join: [[{ trim: [{ var: 'name.givenName' }] }, { var: 'name.familyName' }], ' '] }, expected: 'Ada Lovelace' },
    { rule: { split: [{ var: 'userName' }, '@'] }, expected: ['Ada', 'Example.com'] },
    { rule: { lookup: [{ var: 'fifteen.location' }, 'offices'] }, expected: 'Berlin' },
    { rule: { lookup: [{ var: 'enterprise.employeeNumber' }, 'offices', 'elsewhere'] }, expected: 'elsewhere' },
    { rule: { default: [{ var: 'title' }, 'Employee'] }, expected: 'Employee' },
    { rule: { format_date: [{ var: 'fifteen.startDate' }, 'D.M.YYYY'] }, expected: '5.3.2024' },
    { rule: { parse_date: ['03/05/2024', 'MM/DD/YYYY'] }, expected: '2024-03-05' },
    { rule: { if: [{ '==': [{ var: 'active' }, false] }, 'off', 'on'] }, expected: 'on' },
    { rule: { var: 'now' }, expected: '2025-06-30T12:00:00.000Z' },
  ];
  it.each(rows)('$rule', async ({ rule, expected }) => {
    expect(await compile(rule)(resource)).toEqual(expected);
  });

  it('a lookup with no entry and no fallback is a MappingError', async () => {
    await expect(compile({ lookup: [{ var: 'enterprise.employeeNumber' }, 'offices'] })(resource)).rejects.toThrow('"7" has no entry in the table "offices"');
  });

  it('a rule that throws inside json-logic is a MappingError, not a crash', async () => {
    await expect(compile({ missing_some: [1, { var: 'title' }] })(resource)).rejects.toBeInstanceOf(MappingError);
  });
});

describe('path templates: every parameter URL-encoded into one segment', () => {
  const template = compilePathTemplate('/user/{id}/', ['id']);
  const base = 'https://my.15five.com/api/public';
  const rows = [
    { id: '42', path: '/user/42/' },
    { id: '../../admin', path: '/user/..%2F..%2Fadmin/' },
    { id: 'a/b?c', path: '/user/a%2Fb%3Fc/' },
    { id: 'x#frag', path: '/user/x%23frag/' },
    { id: '%2e%2e', path: '/user/%252e%252e/' },
    { id: 'ü ñ', path: '/user/%C3%BC%20%C3%B1/' },
    { id: '...', path: '/user/.../' },
  ];
  it.each(rows)('$id → $path, below the base URL', ({ id, path }) => {
    const rendered = renderPath(template, { id });
    expect(rendered).toBe(path);
    const url = new URL(`${base}${rendered}`);
    expect(url.origin + url.pathname).toBe(`${base}${rendered}`);
    expect(url.pathname.split('/')).toHaveLength(6); // '', api, public, user, <one segment>, ''
    expect(url.search).toBe('');
  });

  it.each(['.', '..', ''])('refuses %j with 400 invalidValue', (id) => {
    const error = (() => {
      try {
        return renderPath(template, { id });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe('invalidValue');
  });
});

describe('the new id from a Location header (BambooHR)', () => {
  const template = compileLocationTemplate('/employees/{id}');
  const rows: { location: string; id: string | undefined }[] = [
    { location: 'https://api.bamboohr.com/api/gateway.php/acme/v1/employees/123', id: '123' },
    { location: '/api/v1/employees/123/', id: '123' },
    { location: 'http://127.0.0.1:4000/api/v1/employees/a%2Fb?x=1#f', id: 'a/b' },
    { location: 'https://api.bamboohr.com/api/v1/employees/', id: undefined },
    { location: 'https://api.bamboohr.com/api/v1/people/123', id: undefined },
    { location: `/employees/${'9'.repeat(3000)}`, id: undefined },
    { location: '', id: undefined },
  ];
  it.each(rows)('$location → $id', ({ location, id }) => {
    expect(idFromLocation(template, location)).toBe(id);
  });
});

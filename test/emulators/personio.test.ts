/** The Personio emulator over real HTTP: the token endpoint, 401/403, wrapped reads, nested writes, meta notes, four statuses. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

let now = Date.parse('2025-06-30T12:00:00Z');
const emu: Emulator = await startEmulator('personio', { clock: () => now });
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  now = Date.parse('2025-06-30T12:00:00Z');
});

async function token(): Promise<string> {
  const res = await call('/auth', { method: 'POST', json: { client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret }, bearer: null });
  return res.body.data.token as string;
}

async function call(path: string, init: { method?: string; json?: unknown; bearer?: string | null } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.bearer !== null && init.bearer !== undefined) headers.authorization = `Bearer ${init.bearer}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${emu.url}${path}`, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

const employee = (n: number, extra: Record<string, unknown> = {}) => ({ employee: { email: `e${n}@example.com`, first_name: `F${n}`, last_name: `L${n}`, ...extra } });

describe('Personio auth', () => {
  it('issues a token for the client credentials posted as JSON: data.token, data.expires_in', async () => {
    const res = await call('/auth', { method: 'POST', json: { client_id: emu.credentials.clientId, client_secret: emu.credentials.clientSecret } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, data: { token: expect.stringMatching(/^papi-/), expires_in: 86400 } });
  });

  it('refuses wrong credentials', async () => {
    const res = await call('/auth', { method: 'POST', json: { client_id: emu.credentials.clientId, client_secret: 'nope' } });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });

  it('answers 401 without a token, 403 to an unknown, revoked or expired one', async () => {
    expect((await call('/company/employees')).body).toEqual({ success: false, error: { code: 401, message: 'Authorization is not provided' } });
    const forbidden = { success: false, error: { code: 403, message: 'Provided authorization is not valid' } };
    expect((await call('/company/employees', { bearer: 'papi-made-up' })).body).toEqual(forbidden);
    const t = await token();
    expect((await call('/company/employees', { bearer: t })).status).toBe(200);
    emu.revokeTokens();
    expect((await call('/company/employees', { bearer: t })).body).toEqual(forbidden);
    const fresh = await token();
    now += 86_400_000;
    expect((await call('/company/employees', { bearer: fresh })).status).toBe(403);
  });
});

describe('Personio employees', () => {
  it('creates from {"employee": {...}}, answers the id, and reads every attribute wrapped', async () => {
    const t = await token();
    const boss = await call('/company/employees', { method: 'POST', json: employee(1), bearer: t });
    expect(boss.body).toEqual({ success: true, data: { id: 1, message: 'success' } });
    const created = await call('/company/employees', {
      method: 'POST',
      json: employee(2, { position: 'Engineer', department: 'Engineering', office: 'Berlin', hire_date: '2024-03-05', supervisor_id: 1 }),
      bearer: t,
    });
    expect(created.status).toBe(200);
    const read = await call('/company/employees/2', { bearer: t });
    expect(read.body.success).toBe(true);
    const a = read.body.data.attributes;
    expect(read.body.data.type).toBe('Employee');
    expect(a.email).toEqual({ label: 'Email', value: 'e2@example.com', type: 'standard', universal_id: 'email' });
    expect(a.id.value).toBe(2);
    expect(a.status.value).toBe('active');
    expect(a.hire_date.value).toBe('2024-03-05T00:00:00+01:00');
    expect(a.supervisor.value.attributes.id.value).toBe(1);
    expect(a.department.value).toMatchObject({ type: 'Department', attributes: { name: 'Engineering' } });
    expect(a.office.value.attributes.name).toBe('Berlin');
  });

  it('lists wrapped employees, filtered by email (a list of one), with limit and offset', async () => {
    const t = await token();
    for (const n of [1, 2, 3]) await call('/company/employees', { method: 'POST', json: employee(n), bearer: t });
    const one = await call(`/company/employees?email=${encodeURIComponent('E2@Example.com')}`, { bearer: t });
    expect(one.body.data.map((e: any) => e.attributes.id.value)).toEqual([2]);
    const page = await call('/company/employees?limit=2&offset=2', { bearer: t });
    expect(page.body).toMatchObject({ success: true, offset: 2, limit: 2, metadata: { total_elements: 3 } });
    expect(page.body.data.map((e: any) => e.attributes.id.value)).toEqual([3]);
  });

  it('sets the status from the hire date when none is given: onboarding for a future one', async () => {
    const t = await token();
    await call('/company/employees', { method: 'POST', json: employee(1, { hire_date: '2030-01-01' }), bearer: t });
    await call('/company/employees', { method: 'POST', json: employee(2, { hire_date: '2020-01-01' }), bearer: t });
    expect(emu.users().map((e) => e.status)).toEqual(['onboarding', 'active']);
  });

  it.each([
    { extra: { status: 'retired' }, message: 'The status "retired" is not recognized' },
    { extra: { supervisor_id: 99 }, message: 'Supervisor with ID 99 not found' },
    { extra: { hire_date: '05.03.2024' }, message: 'The hire_date must be a date in the format yyyy-mm-dd' },
  ])('refuses $extra with 422', async ({ extra, message }) => {
    const t = await token();
    const res = await call('/company/employees', { method: 'POST', json: employee(1, extra), bearer: t });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ success: false, error: { code: 422, message } });
    expect(emu.users()).toEqual([]);
  });

  it('a department or office that does not exist is ignored with a meta note, on create and update (200 all the same)', async () => {
    const t = await token();
    const created = await call('/company/employees', { method: 'POST', json: employee(1, { department: 'Marketing' }), bearer: t });
    expect(created.status).toBe(200);
    expect(created.body.meta).toEqual(['The department "Marketing" does not exist in Personio and was ignored']);
    const updated = await call('/company/employees/1', { method: 'PATCH', json: { employee: { office: 'Atlantis', position: 'Lead' } }, bearer: t });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ success: true, data: { id: 1 }, meta: ['The office "Atlantis" does not exist in Personio and was ignored'] });
    expect(emu.users()[0]).toMatchObject({ department: null, office: null, position: 'Lead' });
  });

  it('PATCH cannot change the email: it is ignored, silently (200, empty meta)', async () => {
    const t = await token();
    await call('/company/employees', { method: 'POST', json: employee(1), bearer: t });
    const res = await call('/company/employees/1', { method: 'PATCH', json: { employee: { email: 'new@example.com', status: 'leave' } }, bearer: t });
    expect(res.body).toEqual({ success: true, data: { id: 1 }, meta: [] });
    expect(emu.users()[0]).toMatchObject({ email: 'e1@example.com', status: 'leave' });
  });

  it('unsets the supervisor with null; has no delete; 404s an unknown id in its own words', async () => {
    const t = await token();
    await call('/company/employees', { method: 'POST', json: employee(1), bearer: t });
    await call('/company/employees', { method: 'POST', json: employee(2, { supervisor_id: 1 }), bearer: t });
    await call('/company/employees/2', { method: 'PATCH', json: { employee: { supervisor_id: null } }, bearer: t });
    expect(emu.users()[1]!.supervisor_id).toBeNull();
    expect((await call('/company/employees/2', { method: 'DELETE', bearer: t })).status).toBe(405);
    expect((await call('/company/employees/9', { bearer: t })).body).toEqual({ success: false, error: { code: 0, message: 'Es ist ein Problem aufgetreten ' } });
  });
});

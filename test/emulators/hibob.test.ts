/** The HiBob emulator over real HTTP: service-user auth, people, unpaged search, 409 on email, termination. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

const emu: Emulator = await startEmulator('hibob');
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const goodAuth = () => basic(emu.credentials.serviceUser as string, emu.credentials.token as string);

async function call(path: string, init: { method?: string; json?: unknown; auth?: string | null } = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.auth !== null) headers.authorization = init.auth ?? goodAuth();
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${emu.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as any };
}

const person = (n: number, work: Record<string, unknown> = {}) => ({
  firstName: `First${n}`,
  surname: `Last${n}`,
  email: `p${n}@example.com`,
  work: { title: 'Dev', startDate: '2024-01-15', site: 'Berlin', ...work },
});

const create = (n: number, work?: Record<string, unknown>) => call('/v1/people', { method: 'POST', json: person(n, work) });
const search = (json: unknown) => call('/v1/people/search', { method: 'POST', json });

describe('HiBob auth', () => {
  it.each([
    { name: 'no credentials', auth: null },
    { name: 'a wrong token', auth: basic('SERVICE-EMULATOR', 'wrong') },
    { name: 'a wrong service user', auth: basic('SERVICE-OTHER', 'emulator-hibob-token') },
    { name: 'a bearer token', auth: 'Bearer emulator-hibob-token' },
  ])('refuses $name with 401', async ({ auth }) => {
    const res = await call('/v1/people/search', { method: 'POST', json: {}, auth });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Unauthorized' });
  });

  it('accepts the service user and its token', async () => {
    expect((await search({})).body).toEqual({ employees: [] });
  });
});

describe('HiBob people', () => {
  it('creates with 200 and the person, ids being digit strings', async () => {
    const res = await create(1);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      firstName: 'First1',
      surname: 'Last1',
      displayName: 'First1 Last1',
      email: 'p1@example.com',
      state: 'employed',
      work: { title: 'Dev', startDate: '2024-01-15', site: 'Berlin', reportsTo: null },
    });
    expect(res.body.id).toMatch(/^\d{19}$/);
    expect((await call(`/v1/people/${res.body.id}`)).body).toEqual(res.body);
    expect(emu.users()).toEqual([res.body]);
  });

  it.each([
    { json: { surname: 'L', email: 'a@example.com' }, error: /firstName/ },
    { json: { firstName: 'F', email: 'a@example.com' }, error: /surname/ },
    { json: { firstName: 'F', surname: 'L' }, error: /email/ },
    { json: { firstName: 'F', surname: 'L', email: 'nope' }, error: /email/ },
    { json: person(1, { startDate: '01/15/2024' }), error: /startDate/ },
    { json: person(1, { reportsTo: { id: '42' } }), error: /reportsTo/ },
    { json: { ...person(1), work: 'Dev' }, error: /work/ },
  ])('refuses $json with 400', async ({ json, error }) => {
    const res = await call('/v1/people', { method: 'POST', json });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(error);
    expect(emu.users()).toEqual([]);
  });

  it('keeps email unique without regard to case: 409 on create and update', async () => {
    await create(1);
    const dup = await call('/v1/people', { method: 'POST', json: { ...person(2), email: 'P1@EXAMPLE.com' } });
    expect(dup.status).toBe(409);
    expect(typeof dup.body.error).toBe('string');
    const second = await create(2);
    const clash = await call(`/v1/people/${second.body.id}`, { method: 'PUT', json: { email: 'p1@example.com' } });
    expect(clash.status).toBe(409);
    expect(emu.users().map((p) => p.email)).toEqual(['p1@example.com', 'p2@example.com']);
  });

  it('updates only the fields given (work merged), answering 200', async () => {
    const manager = await create(1);
    const created = await create(2);
    const res = await call(`/v1/people/${created.body.id}`, {
      method: 'PUT',
      json: { surname: 'Changed', work: { title: 'Lead', reportsTo: { id: manager.body.id } } },
    });
    expect(res.status).toBe(200);
    const read = await call(`/v1/people/${created.body.id}`);
    expect(read.body).toMatchObject({
      firstName: 'First2',
      surname: 'Changed',
      displayName: 'First2 Changed',
      work: { title: 'Lead', site: 'Berlin', startDate: '2024-01-15', reportsTo: { id: manager.body.id } },
    });
  });

  it.each(['/v1/people/123', '/v1/employees/123/terminate'])('%s is 404 for an unknown id', async (path) => {
    const res = await call(path, { method: path.endsWith('terminate') ? 'POST' : 'GET', json: path.endsWith('terminate') ? {} : undefined });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Employee not found' });
  });
});

describe('HiBob search', () => {
  it('answers every match at once (no paging)', async () => {
    for (let n = 1; n <= 150; n++) emu.seedUser(person(n));
    const res = await search({ showInactive: true });
    expect(res.status).toBe(200);
    expect(res.body.employees).toHaveLength(150);
  });

  it('filters root.email without regard to case and projects the fields asked for', async () => {
    const ann = emu.seedUser({ ...person(1), email: 'Ann@Example.com' });
    emu.seedUser(person(2));
    const res = await search({
      fields: ['root.id', 'root.email', 'work.title', 'work.reportsTo.id'],
      filters: [{ fieldPath: 'root.email', operator: 'equals', values: ['ann@example.COM'] }],
      showInactive: true,
    });
    expect(res.body).toEqual({ employees: [{ id: ann.id, email: 'Ann@Example.com', work: { title: 'Dev', reportsTo: { id: null } } }] });
  });

  it.each([
    { json: { filters: [{ fieldPath: 'root.email', operator: 'contains', values: ['a'] }] }, error: /operator/ },
    { json: { filters: [{ fieldPath: 'root.secret', operator: 'equals', values: ['a'] }] }, error: /fieldPath/ },
    { json: { filters: [{ fieldPath: 'root.email', operator: 'equals', values: 'a' }] }, error: /values/ },
    { json: { fields: ['root.password'] }, error: /fields/ },
    { json: { filters: 'root.email' }, error: /filters/ },
  ])('refuses a malformed search $json with 400', async ({ json, error }) => {
    const res = await search(json);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(error);
  });
});

describe('HiBob termination', () => {
  it('terminates through its own endpoint, hides the person from default search, and revokes', async () => {
    const { body: created } = await create(1);
    const filter = { filters: [{ fieldPath: 'root.id', operator: 'equals', values: [created.id] }] };
    const done = await call(`/v1/employees/${created.id}/terminate`, {
      method: 'POST',
      json: { terminationDate: '2024-06-30', reason: 'Left the company' },
    });
    expect(done.status).toBe(200);
    expect((await call(`/v1/people/${created.id}`)).body).toMatchObject({ state: 'terminated', terminationDate: '2024-06-30' });
    expect((await search(filter)).body.employees).toEqual([]);
    expect((await search({ ...filter, showInactive: true })).body.employees).toHaveLength(1);

    const again = await call(`/v1/employees/${created.id}/terminate`, { method: 'POST', json: { terminationDate: '2024-07-01' } });
    expect(again.status).toBe(400);

    const revoked = await call(`/v1/employees/${created.id}/revoke-termination`, { method: 'POST', json: {} });
    expect(revoked.status).toBe(200);
    expect((await call(`/v1/people/${created.id}`)).body).toMatchObject({ state: 'employed', terminationDate: null });
    expect((await call(`/v1/employees/${created.id}/revoke-termination`, { method: 'POST', json: {} })).status).toBe(400);
  });

  it.each([{}, { terminationDate: '30/06/2024' }, { terminationDate: '2024-06-31' }])('refuses termination body %j', async (json) => {
    const { body: created } = await create(1);
    const res = await call(`/v1/employees/${created.id}/terminate`, { method: 'POST', json });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/terminationDate/);
    expect(emu.users()[0]?.state).toBe('employed');
  });
});

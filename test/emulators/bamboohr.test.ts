/** The BambooHR emulator over real HTTP: Basic auth, 406 without Accept, Location-only creates, errors header. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

const emu: Emulator = await startEmulator('bamboohr');
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const basic = (user: string, password = 'x') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(
  path: string,
  init: { method?: string; json?: unknown; auth?: string | null; accept?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (init.auth !== null) headers.authorization = init.auth ?? basic(emu.credentials.apiKey as string);
  if (init.accept !== null) headers.accept = init.accept ?? 'application/json';
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${emu.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : undefined) as any };
}

const employee = (n: number, extra: Record<string, unknown> = {}) => ({ firstName: `First${n}`, lastName: `Last${n}`, ...extra });

describe('BambooHR auth and content negotiation', () => {
  it.each([
    { name: 'no credentials', auth: null },
    { name: 'a wrong key', auth: basic('wrong') },
    { name: 'a bearer token', auth: 'Bearer emulator-bamboohr-key' },
    { name: 'garbage', auth: 'Basic !!!' },
  ])('refuses $name with 401, an empty body and the reason in the header', async ({ auth }) => {
    const res = await call('/employees/directory', { auth });
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
    expect(res.headers.get('x-bamboohr-error-message')).toBe('Invalid API key');
  });

  it('takes any password with the right key as user', async () => {
    const res = await call('/employees/directory', { auth: basic(emu.credentials.apiKey as string, 'anything') });
    expect(res.status).toBe(200);
  });

  it.each([
    { accept: null, status: 406 },
    { accept: '*/*', status: 406 },
    { accept: 'application/xml', status: 406 },
    { accept: 'text/html, application/json;q=0.9', status: 200 },
    { accept: 'Application/JSON', status: 200 },
  ])('Accept $accept -> $status', async ({ accept, status }) => {
    const res = await call('/employees/directory', { accept });
    expect(res.status).toBe(status);
    if (status === 406) {
      expect(res.text).toBe('');
      expect(res.headers.get('x-bamboohr-error-message')).toMatch(/Accept/);
    }
  });
});

describe('BambooHR employees', () => {
  it('creates with 201, an empty body and the new id only in Location', async () => {
    const res = await call('/employees', { method: 'POST', json: employee(1, { workEmail: 'a@example.com', hireDate: '2024-01-15' }) });
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    expect(res.headers.get('location')).toBe(`${emu.url}/employees/1`);
    expect(emu.users()).toEqual([
      expect.objectContaining({ id: '1', firstName: 'First1', workEmail: 'a@example.com', hireDate: '2024-01-15', status: 'Active' }),
    ]);
  });

  it.each([
    { json: { lastName: 'L' }, reason: /firstName/ },
    { json: { firstName: 'F' }, reason: /lastName/ },
    { json: { firstName: '', lastName: 'L' }, reason: /firstName/ },
    { json: employee(1, { hireDate: '01/15/2024' }), reason: /hireDate/ },
    { json: employee(1, { hireDate: '2024-02-30' }), reason: /hireDate/ },
    { json: employee(1, { status: 'Terminated' }), reason: /status/ },
    { json: employee(1, { supervisorEId: '999' }), reason: /supervisorEId/ },
    { json: employee(1, { jobTitle: { nested: true } }), reason: /jobTitle/ },
    { json: [employee(1)], reason: /object/ },
  ])('refuses $json with 400 and the reason in the header', async ({ json, reason }) => {
    const res = await call('/employees', { method: 'POST', json });
    expect(res.status).toBe(400);
    expect(res.text).toBe('');
    expect(res.headers.get('x-bamboohr-error-message')).toMatch(reason);
    expect(emu.users()).toEqual([]);
  });

  it('reads the fields asked for, with a string id', async () => {
    await call('/employees', { method: 'POST', json: employee(1, { workEmail: 'a@example.com', employeeNumber: 42 }) });
    const res = await call('/employees/1?fields=firstName,workEmail,employeeNumber,hireDate,notAField');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: '1', firstName: 'First1', workEmail: 'a@example.com', employeeNumber: '42', hireDate: null });
  });

  it('updates with 200 and an empty body, silently ignoring unknown fields', async () => {
    await call('/employees', { method: 'POST', json: employee(1) });
    const res = await call('/employees/1', { method: 'POST', json: { jobTitle: 'Engineer', favouriteColour: 'green', status: 'Inactive' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [stored] = emu.users();
    expect(stored).toMatchObject({ id: '1', firstName: 'First1', jobTitle: 'Engineer', status: 'Inactive' });
    expect(stored).not.toHaveProperty('favouriteColour');
  });

  it('links a supervisor by employee id', async () => {
    await call('/employees', { method: 'POST', json: employee(1) });
    const res = await call('/employees', { method: 'POST', json: employee(2, { supervisorEId: '1' }) });
    expect(res.status).toBe(201);
    expect((await call('/employees/2?fields=supervisorEId')).body).toEqual({ id: '2', supervisorEId: '1' });
  });

  it.each([
    { method: 'GET', path: '/employees/77' },
    { method: 'POST', path: '/employees/77' },
    { method: 'GET', path: '/nothing-here' },
  ])('$method $path is 404 with the reason in the header', async ({ method, path }) => {
    const res = await call(path, { method, json: method === 'POST' ? { jobTitle: 'x' } : undefined });
    expect(res.status).toBe(404);
    expect(res.text).toBe('');
    expect(res.headers.get('x-bamboohr-error-message')).toBeTruthy();
  });
});

describe('BambooHR directory', () => {
  it('lists every active employee in one unpaged answer', async () => {
    for (let n = 1; n <= 150; n++) emu.seedUser(employee(n, { workEmail: `e${n}@example.com`, jobTitle: 'Dev' }));
    emu.seedUser(employee(151, { status: 'Inactive' }));
    const res = await call('/employees/directory');
    expect(res.status).toBe(200);
    expect(res.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'workEmail' })]));
    expect(res.body.employees).toHaveLength(150);
    expect(res.body.employees[0]).toEqual({
      id: '1',
      displayName: 'First1 Last1',
      firstName: 'First1',
      lastName: 'Last1',
      workEmail: 'e1@example.com',
      jobTitle: 'Dev',
      department: null,
      location: null,
    });
  });
});

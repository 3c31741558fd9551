/** The 15Five emulator over real HTTP: auth, trailing slashes, paging, filters, field errors, groups. */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

const emu: Emulator = await startEmulator('15five');
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function call(path: string, init: { method?: string; json?: unknown; auth?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== null) headers.authorization = init.auth ?? (emu.credentials.apiKey as string);
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path.startsWith('http') ? path : `${emu.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
}

const person = (n: number, extra: Record<string, unknown> = {}) => ({
  email: `user${n}@example.com`,
  first_name: `First${n}`,
  last_name: `Last${n}`,
  ...extra,
});

describe('15Five auth', () => {
  it.each([
    { auth: null, status: 401, detail: 'Authentication credentials were not provided.' },
    { auth: '', status: 401, detail: 'Authentication credentials were not provided.' },
    { auth: 'wrong-key', status: 401, detail: 'Invalid token.' },
    { auth: 'Bearer wrong-key', status: 401, detail: 'Invalid token.' },
    { auth: 'Basic ZW11bGF0b3I6eA==', status: 401, detail: 'Invalid token.' },
  ])('refuses $auth', async ({ auth, status, detail }) => {
    const res = await call('/user/', { auth });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ detail });
  });

  it.each(['raw', 'bearer'])('accepts the key %s', async (form) => {
    const key = emu.credentials.apiKey as string;
    const res = await call('/user/', { auth: form === 'raw' ? key : `Bearer ${key}` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });

  it('never records the Authorization header', async () => {
    await call('/user/');
    const [recorded] = emu.requests();
    expect(recorded).toMatchObject({ method: 'GET', path: '/api/public/user/', status: 200 });
    expect(recorded?.headers.authorization).toBeUndefined();
  });
});

describe('15Five paths', () => {
  it.each(['/user', '/user/1', '/group', '/users/', '/user/abc/', '/../user/'])('%s is 404 (trailing slashes are required)', async (path) => {
    const res = await call(path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not found.' });
  });

  it('resolves the URL before authenticating: an unknown path is 404 even without a key', async () => {
    expect((await call('/user', { auth: null })).status).toBe(404);
    expect((await call('/user/', { auth: null })).status).toBe(401);
  });

  it('has no hard delete of users', async () => {
    const created = await call('/user/', { method: 'POST', json: person(1) });
    const res = await call(`/user/${created.body.id}/`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: 'Method "DELETE" not allowed.' });
    expect(emu.users()).toHaveLength(1);
  });
});

describe('15Five users', () => {
  it('creates with 201, an integer id and defaults, then reads it back', async () => {
    const created = await call('/user/', { method: 'POST', json: person(1, { title: 'Engineer', start_date: '01/15/2024', id: 999 }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 1, email: 'user1@example.com', is_active: true, title: 'Engineer', start_date: '01/15/2024' });
    expect(typeof created.body.date_joined).toBe('string');
    const read = await call('/user/1/');
    expect(read.body).toEqual(created.body);
    expect(emu.users()).toEqual([created.body]);
  });

  it('answers field errors for missing required fields', async () => {
    const res = await call('/user/', { method: 'POST', json: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      email: ['This field is required.'],
      first_name: ['This field is required.'],
      last_name: ['This field is required.'],
    });
  });

  it.each([
    { fields: { email: 'not-an-email' }, field: 'email', error: 'Enter a valid email address.' },
    { fields: { first_name: '  ' }, field: 'first_name', error: 'This field may not be blank.' },
    { fields: { is_active: 'False' }, field: 'is_active', error: 'Must be a valid boolean.' },
    { fields: { reports_to: 42 }, field: 'reports_to', error: 'Invalid pk "42" - object does not exist.' },
    { fields: { reports_to: '1' }, field: 'reports_to', error: 'Incorrect type. Expected pk value, received str.' },
    { fields: { title: 7 }, field: 'title', error: 'Not a valid string.' },
  ])('rejects $field: $error', async ({ fields, field, error }) => {
    const res = await call('/user/', { method: 'POST', json: person(1, fields) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ [field]: [error] });
    expect(emu.users()).toEqual([]);
  });

  it.each([
    { start_date: '2024-01-15', ok: false },
    { start_date: '15/01/2024', ok: false },
    { start_date: '02/30/2024', ok: false },
    { start_date: '1/5/2024', ok: false },
    { start_date: '02/29/2023', ok: false },
    { start_date: '02/29/2024', ok: true },
    { start_date: '12/31/1999', ok: true },
    { start_date: null, ok: true },
  ])('start_date $start_date is accepted: $ok', async ({ start_date, ok }) => {
    const res = await call('/user/', { method: 'POST', json: person(1, { start_date }) });
    expect(res.status).toBe(ok ? 201 : 400);
    if (!ok) expect(res.body).toEqual({ start_date: ['Date has wrong format. Use one of these formats instead: MM/DD/YYYY.'] });
  });

  it('keeps email unique without regard to case, on create and update', async () => {
    await call('/user/', { method: 'POST', json: person(1, { email: 'Ann@Example.com' }) });
    const dup = await call('/user/', { method: 'POST', json: person(2, { email: 'ann@example.COM' }) });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ email: ['user with this email already exists.'] });
    const other = await call('/user/', { method: 'POST', json: person(3) });
    const clash = await call(`/user/${other.body.id}/`, { method: 'PATCH', json: { email: 'ANN@example.com' } });
    expect(clash.status).toBe(400);
    // Re-saving one's own email is no clash.
    const same = await call('/user/1/', { method: 'PATCH', json: { email: 'ann@example.com' } });
    expect(same.status).toBe(200);
  });

  it('PUT is a full update (required fields needed), PATCH partial; deactivation by is_active', async () => {
    await call('/user/', { method: 'POST', json: person(1, { title: 'Dev' }) });
    const put = await call('/user/1/', { method: 'PUT', json: { is_active: false } });
    expect(put.status).toBe(400);
    expect(Object.keys(put.body).sort()).toEqual(['email', 'first_name', 'last_name']);
    const full = await call('/user/1/', { method: 'PUT', json: person(1, { last_name: 'Changed' }) });
    expect(full.body).toMatchObject({ last_name: 'Changed', title: 'Dev', is_active: true });
    const patch = await call('/user/1/', { method: 'PATCH', json: { is_active: false, unknown_field: 'ignored' } });
    expect(patch.status).toBe(200);
    expect(patch.body.is_active).toBe(false);
    expect(patch.body).not.toHaveProperty('unknown_field');
  });

  it('accepts a manager reference by integer id', async () => {
    await call('/user/', { method: 'POST', json: person(1) });
    const res = await call('/user/', { method: 'POST', json: person(2, { reports_to: 1 }) });
    expect(res.status).toBe(201);
    expect(res.body.reports_to).toBe(1);
  });

  it.each([
    { contentType: 'application/json', body: '{"email":', status: 400 },
    { contentType: 'text/plain', body: 'email=a@b.c', status: 415 },
  ])('answers $status to a $contentType body it cannot read', async ({ contentType, body, status }) => {
    const res = await fetch(`${emu.url}/user/`, {
      method: 'POST',
      headers: { authorization: emu.credentials.apiKey as string, 'content-type': contentType },
      body,
    });
    expect(res.status).toBe(status);
    expect(typeof ((await res.json()) as { detail: unknown }).detail).toBe('string');
  });

  it('refuses a body over 1 MB with 413 and records nothing of it', async () => {
    const res = await call('/user/', { method: 'POST', json: person(1, { title: 'x'.repeat(1_100_000) }) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ detail: 'Request body too large' });
    expect(emu.users()).toEqual([]);
  });

  it('answers 404 for an unknown id', async () => {
    expect((await call('/user/12345/')).body).toEqual({ detail: 'Not found.' });
  });
});

describe('15Five paging and filters', () => {
  it('walks every user through absolute next links (page_size capped at 100)', async () => {
    for (let n = 1; n <= 230; n++) emu.seedUser(person(n));
    const seen: number[] = [];
    let url: string | null = `${emu.url}/user/?page_size=500`;
    let pages = 0;
    while (url !== null) {
      const page = await call(url);
      expect(page.status).toBe(200);
      expect(page.body.count).toBe(230);
      expect(page.body.results.length).toBeLessThanOrEqual(100);
      seen.push(...page.body.results.map((u: { id: number }) => u.id));
      if (page.body.next !== null) expect(page.body.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/public\/user\/\?/);
      url = page.body.next;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
  });

  it('builds previous links as DRF does (page 1 without a page parameter)', async () => {
    for (let n = 1; n <= 5; n++) emu.seedUser(person(n));
    const second = await call('/user/?page=2&page_size=2&is_active=true');
    expect(second.body.previous).toBe(`${emu.url}/user/?is_active=true&page_size=2`);
    expect(second.body.next).toBe(`${emu.url}/user/?is_active=true&page=3&page_size=2`);
    const last = await call('/user/?page=last&page_size=2');
    expect(last.body.results.map((u: { id: number }) => u.id)).toEqual([5]);
    expect(last.body.next).toBeNull();
  });

  it.each(['0', '4', 'abc', '-1'])('page=%s past the range is 404 Invalid page.', async (page) => {
    for (let n = 1; n <= 5; n++) emu.seedUser(person(n));
    const res = await call(`/user/?page=${page}&page_size=2`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Invalid page.' });
  });

  it('uses the default page size for a page_size that is not a positive integer', async () => {
    for (let n = 1; n <= 30; n++) emu.seedUser(person(n));
    expect((await call('/user/?page_size=zero')).body.results).toHaveLength(25);
    expect((await call('/user/?page_size=0')).body.results).toHaveLength(25);
  });

  it('filters by email (exact, case-insensitive) and is_active', async () => {
    emu.seedUser(person(1, { email: 'Ann@Example.com' }));
    emu.seedUser(person(2, { email: 'ann@example.com.au' }));
    emu.seedUser(person(3, { email: 'bob@example.com', is_active: false }));
    const byEmail = await call(`/user/?email=${encodeURIComponent('ANN@example.COM')}`);
    expect(byEmail.body.results.map((u: { id: number }) => u.id)).toEqual([1]);
    const inactive = await call('/user/?is_active=false');
    expect(inactive.body.results.map((u: { id: number }) => u.id)).toEqual([3]);
    const active = await call('/user/?is_active=True');
    expect(active.body.count).toBe(2);
    // django-filter leaves a value it cannot read unapplied.
    expect((await call('/user/?is_active=maybe')).body.count).toBe(3);
  });
});

describe('15Five groups', () => {
  it('creates, reads, sets members by the whole list, and deletes', async () => {
    emu.seedUser(person(1));
    emu.seedUser(person(2));
    const created = await call('/group/', { method: 'POST', json: { name: 'Eng', external_id: 'g-1', user_ids: [1] } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 1, name: 'Eng', external_id: 'g-1', user_ids: [1] });
    const patched = await call('/group/1/', { method: 'PATCH', json: { user_ids: [2, 1, 2] } });
    expect(patched.body.user_ids).toEqual([2, 1]);
    expect((await call('/group/')).body.results).toEqual([patched.body]);
    expect(emu.groups()).toEqual([patched.body]);
    const deleted = await call('/group/1/', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await call('/group/1/')).status).toBe(404);
  });

  it.each([
    { json: {}, errors: { name: ['This field is required.'] } },
    { json: { name: 'X', user_ids: [9] }, errors: { user_ids: ['Invalid pk "9" - object does not exist.'] } },
    { json: { name: 'X', user_ids: 'a' }, errors: { user_ids: ['Expected a list of items but got type "str".'] } },
  ])('refuses $json', async ({ json, errors }) => {
    const res = await call('/group/', { method: 'POST', json });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errors);
  });
});

/** The 15Five emulator over real HTTP: auth, trailing slashes, what is refused, bulk creates, updates by id, paging, filters, groups. */
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

describe('15Five paths: what the reference does not offer is refused', () => {
  it.each(['/user', '/user/1', '/group', '/users/', '/user/abc/', '/../user/', '/group/1/', '/user/bulk'])('%s is 404 (trailing slashes are required)', async (path) => {
    const res = await call(path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Not found.' });
  });

  it('resolves the URL before authenticating: an unknown path is 404 even without a key', async () => {
    expect((await call('/user', { auth: null })).status).toBe(404);
    expect((await call('/user/', { auth: null })).status).toBe(401);
  });

  it.each([
    { method: 'POST', path: '/user/', what: 'no POST /user/: users are created in bulk' },
    { method: 'POST', path: '/group/', what: 'no group create' },
    { method: 'GET', path: '/user/bulk/', what: 'the bulk endpoint only takes POST' },
    { method: 'DELETE', path: '/user/1/', what: 'no hard delete of users' },
  ])('$method $path is 405 ($what)', async ({ method, path }) => {
    emu.seedUser(person(1));
    const res = await call(path, { method, ...(method === 'POST' ? { json: person(2) } : {}) });
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: `Method "${method}" not allowed.` });
    expect(emu.users()).toHaveLength(1);
  });
});

describe('15Five users: created or updated in bulk', () => {
  it('creates the users of a list, answering them in order with integer ids and defaults', async () => {
    const res = await call('/user/bulk/', { method: 'POST', json: [person(1, { title: 'Engineer', id: 999 }), person(2)] });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
    expect(res.body[0]).toMatchObject({ id: 1, email: 'user1@example.com', is_active: true, title: 'Engineer', reviewer_id: null, company_groups_ids: [] });
    expect(res.body[1]).toMatchObject({ id: 2, email: 'user2@example.com' });
    expect((await call('/user/1/')).body).toEqual(res.body[0]);
  });

  it('updates the user with the same email (any case) instead of creating a second one', async () => {
    await call('/user/bulk/', { method: 'POST', json: [person(1, { title: 'Dev' })] });
    const again = await call('/user/bulk/', { method: 'POST', json: [{ email: 'USER1@example.com', title: 'Lead' }] });
    expect(again.status).toBe(200);
    expect(again.body[0]).toMatchObject({ id: 1, title: 'Lead', first_name: 'First1' });
    expect(emu.users()).toHaveLength(1);
  });

  it('is all or nothing: one bad item is a 400 with one error object per item, and nothing changes', async () => {
    const res = await call('/user/bulk/', { method: 'POST', json: [person(1), { email: 'not-an-email', first_name: 'X', last_name: 'Y' }, { email: 'z@example.com' }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {},
      { email: ['Enter a valid email address.'] },
      { first_name: ['This field is required.'], last_name: ['This field is required.'] },
    ]);
    expect(emu.users()).toEqual([]);
  });

  it.each([
    { fields: { is_active: 'False' }, field: 'is_active', error: 'Must be a valid boolean.' },
    { fields: { reviewer_id: 42 }, field: 'reviewer_id', error: 'Invalid pk "42" - object does not exist.' },
    { fields: { reviewer_id: '1' }, field: 'reviewer_id', error: 'Incorrect type. Expected pk value, received str.' },
    { fields: { group_ids: [7] }, field: 'group_ids', error: 'Invalid pk "7" - object does not exist.' },
    { fields: { title: 7 }, field: 'title', error: 'Not a valid string.' },
  ])('refuses $field: $error', async ({ fields, field, error }) => {
    const res = await call('/user/bulk/', { method: 'POST', json: [person(1, fields)] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual([{ [field]: [error] }]);
  });

  it('refuses a body that is not a list', async () => {
    const res = await call('/user/bulk/', { method: 'POST', json: person(1) });
    expect(res.status).toBe(400);
    expect(emu.users()).toEqual([]);
  });

  it('takes group_ids of existing groups as the new user\'s membership', async () => {
    const group = emu.seedGroup({ name: 'Engineering' });
    const res = await call('/user/bulk/', { method: 'POST', json: [person(1, { group_ids: [group.id] })] });
    expect(res.body[0].company_groups_ids).toEqual([group.id]);
  });
});

describe('15Five users: updated by id', () => {
  it('PUT takes any subset of the documented fields; unknown fields are ignored', async () => {
    emu.seedUser(person(1, { title: 'Dev' }));
    const res = await call('/user/1/', { method: 'PUT', json: { title: 'Lead', is_active: false, unknown_field: 'x' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'Lead', is_active: false, first_name: 'First1' });
    expect(res.body).not.toHaveProperty('unknown_field');
    expect((await call('/user/1/', { method: 'PATCH', json: { is_active: true } })).body.is_active).toBe(true);
  });

  it('sets the reviewer by id; 0 or null removes it', async () => {
    emu.seedUser(person(1));
    emu.seedUser(person(2));
    expect((await call('/user/2/', { method: 'PUT', json: { reviewer_id: 1 } })).body.reviewer_id).toBe(1);
    expect((await call('/user/2/', { method: 'PUT', json: { reviewer_id: 0 } })).body.reviewer_id).toBeNull();
    await call('/user/2/', { method: 'PUT', json: { reviewer_id: 1 } });
    expect((await call('/user/2/', { method: 'PUT', json: { reviewer_id: null } })).body.reviewer_id).toBeNull();
  });

  it.each([
    { value: '1772323200', start: '03/01/2026' },
    { value: 1772323200, start: '03/01/2026' },
    { value: '1709596800', start: '03/05/2024' },
    { value: null, start: null },
  ])('start_date_ts $value is kept as the day $start', async ({ value, start }) => {
    emu.seedUser(person(1));
    const res = await call('/user/1/', { method: 'PUT', json: { start_date_ts: value, hire_date_ts: value } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ start_date: start, hire_date: start });
  });

  it.each(['2026-03-01', '03/01/2026', 'soon', 1.5])('refuses the start timestamp %s', async (value) => {
    emu.seedUser(person(1));
    const res = await call('/user/1/', { method: 'PUT', json: { start_date_ts: value } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ start_date_ts: ['Enter a valid timestamp.'] });
  });

  it('company_groups_ids is the whole list of the user\'s groups; an empty list leaves every group', async () => {
    const a = emu.seedGroup({ name: 'A' });
    const b = emu.seedGroup({ name: 'B' });
    emu.seedUser(person(1, { company_groups_ids: [a.id] }));
    expect((await call('/user/1/', { method: 'PUT', json: { company_groups_ids: [b.id, b.id] } })).body.company_groups_ids).toEqual([b.id]);
    expect((await call('/user/1/', { method: 'PUT', json: { company_groups_ids: [] } })).body.company_groups_ids).toEqual([]);
    const bad = await call('/user/1/', { method: 'PUT', json: { company_groups_ids: [99] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ company_groups_ids: ['Invalid pk "99" - object does not exist.'] });
  });

  it('keeps email unique without regard to case', async () => {
    emu.seedUser(person(1, { email: 'Ann@Example.com' }));
    emu.seedUser(person(2));
    const clash = await call('/user/2/', { method: 'PUT', json: { email: 'ANN@example.com' } });
    expect(clash.status).toBe(400);
    expect(clash.body).toEqual({ email: ['user with this email already exists.'] });
    // Re-saving one's own email is no clash.
    expect((await call('/user/1/', { method: 'PUT', json: { email: 'ann@example.com' } })).status).toBe(200);
  });

  it.each([
    { contentType: 'application/json', body: '{"email":', status: 400 },
    { contentType: 'text/plain', body: 'email=a@b.c', status: 415 },
  ])('answers $status to a $contentType body it cannot read', async ({ contentType, body, status }) => {
    emu.seedUser(person(1));
    const res = await fetch(`${emu.url}/user/1/`, {
      method: 'PUT',
      headers: { authorization: emu.credentials.apiKey as string, 'content-type': contentType },
      body,
    });
    expect(res.status).toBe(status);
    expect(typeof ((await res.json()) as { detail: unknown }).detail).toBe('string');
  });

  it('refuses a body over 1 MB with 413 and records nothing of it', async () => {
    const res = await call('/user/bulk/', { method: 'POST', json: [person(1, { title: 'x'.repeat(1_100_000) })] });
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

  it('uses the documented default page size, 100, for a page_size that is not a positive integer', async () => {
    for (let n = 1; n <= 130; n++) emu.seedUser(person(n));
    expect((await call('/user/')).body.results).toHaveLength(100);
    expect((await call('/user/?page_size=zero')).body.results).toHaveLength(100);
    expect((await call('/user/?page_size=0')).body.results).toHaveLength(100);
  });

  it('filters by email (exact, case-insensitive), employee_id and is_active', async () => {
    emu.seedUser(person(1, { email: 'Ann@Example.com' }));
    emu.seedUser(person(2, { email: 'ann@example.com.au', employee_id: 'E2' }));
    emu.seedUser(person(3, { email: 'bob@example.com', is_active: false }));
    expect((await call('/user/?employee_id=E2')).body.results.map((u: { id: number }) => u.id)).toEqual([2]);
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

describe('15Five groups: read only', () => {
  it('lists the groups that exist (made in the app), paged', async () => {
    emu.seedGroup({ name: 'Engineering' });
    emu.seedGroup({ name: 'Sales' });
    const res = await call('/group/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ count: 2, next: null, previous: null, results: [{ id: 1, name: 'Engineering' }, { id: 2, name: 'Sales' }] });
    expect(emu.groups()).toEqual(res.body.results);
  });
});

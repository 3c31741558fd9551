/** /Users over real HTTP: the semantics a SCIM client relies on (RFC 7644 §3). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, FIFTEEN_FIVE, patchOp, read, SCIM, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.close();
});

function user(userName: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER_SCHEMA], userName, ...more };
}

async function create(userName: string, more: Record<string, unknown> = {}) {
  const res = await read(await gw.call('/Users', { method: 'POST', json: user(userName, more) }));
  expect(res.status).toBe(201);
  return res.body as { id: string; meta: { version: string; location: string } };
}

describe('POST /Users', () => {
  it('creates a user: 201, Location, ETag, meta, values exactly as sent', async () => {
    const body = user('Ada.Lovelace@Example.com', {
      externalId: 'ext-Ada-1',
      name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
      emails: [{ value: 'Ada.Lovelace@Example.com', type: 'work', primary: true }],
      title: '  Countess  ',
      [ENTERPRISE]: { employeeNumber: '0042', department: 'Analytical Engines' },
    });
    const res = await read(await gw.call('/Users', { method: 'POST', json: body }));
    expect(res.status).toBe(201);
    expect(res.type).toMatch(/^application\/scim\+json/);
    const created = res.body;
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('location')).toBe(`${gw.base}/Users/${created.id}`);
    expect(res.headers.get('etag')).toBe(created.meta.version);
    expect(created.meta).toEqual({
      resourceType: 'User',
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      lastModified: created.meta.created,
      location: `${gw.base}/Users/${created.id}`,
      version: 'W/"1"',
    });
    expect(created.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect(created.userName).toBe('Ada.Lovelace@Example.com');
    expect(created.title).toBe('  Countess  ');
    expect(created.externalId).toBe('ext-Ada-1');
    expect(created.name).toEqual(body.name);
    expect(created.emails).toEqual(body.emails);
    expect(created[ENTERPRISE]).toEqual({ employeeNumber: '0042', department: 'Analytical Engines' });

    const again = await read(await gw.call(`/Users/${created.id}`));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created);
  });

  it('refuses a second user with the same userName in any case: 409 uniqueness', async () => {
    await create('grace@example.com');
    const res = await read(await gw.call('/Users', { method: 'POST', json: user('GRACE@example.COM') }));
    expect(res.status).toBe(409);
    expect(res.type).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
    });
  });

  it('ignores client-sent id, meta and groups (readOnly)', async () => {
    const res = await read(
      await gw.call('/Users', {
        method: 'POST',
        json: user('readonly@example.com', { id: 'mine', meta: { resourceType: 'User', version: 'W/"99"' }, groups: [{ value: 'g' }] }),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('mine');
    expect(res.body.meta.version).toBe('W/"1"');
    expect(res.body.groups).toBeUndefined();
  });

  it('accepts the 15Five extension keyed by its URN even when `schemas` does not list it', async () => {
    const res = await read(
      await gw.call('/Users', {
        method: 'POST',
        json: user('fifteen@example.com', { [FIFTEEN_FIVE]: { location: 'Berlin', startDate: '2026-01-05' } }),
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.schemas).toEqual([USER_SCHEMA, FIFTEEN_FIVE]);
    expect(res.body[FIFTEEN_FIVE]).toEqual({ location: 'Berlin', startDate: '2026-01-05' });
  });
});

describe('attributes written with their schema URN (RFC 7644 §3.10)', () => {
  it('POST, PUT and a path-less PATCH accept core attributes keyed by URN and an object keyed by the core URN', async () => {
    const created = await read(
      await gw.call('/Users', {
        method: 'POST',
        json: { schemas: [USER_SCHEMA], [`${USER_SCHEMA}:userName`]: 'qualified@example.com', [USER_SCHEMA]: { title: 'Engineer' } },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userName: 'qualified@example.com', title: 'Engineer' });
    const put = await read(
      await gw.call(`/Users/${created.body.id}`, {
        method: 'PUT',
        json: { schemas: [USER_SCHEMA], [USER_SCHEMA]: { userName: 'qualified@example.com', nickName: 'Q' } },
      }),
    );
    expect(put.status).toBe(200);
    expect([put.body.nickName, put.body.title]).toEqual(['Q', undefined]);
    const patched = await read(
      await gw.call(`/Users/${created.body.id}`, {
        method: 'PATCH',
        json: patchOp({ op: 'replace', value: { [USER_SCHEMA]: { title: 'Lead' }, [`${USER_SCHEMA}:displayName`]: 'Q. Lee' } }),
      }),
    );
    expect(patched.status).toBe(200);
    expect([patched.body.title, patched.body.displayName]).toEqual(['Lead', 'Q. Lee']);
  });
});

describe('bad input never yields a 500 and never writes', () => {
  const cases: { name: string; body: string; contentType?: string; status: number; scimType?: string }[] = [
    { name: 'malformed JSON', body: '{"schemas": [', status: 400, scimType: 'invalidSyntax' },
    { name: 'a JSON array', body: '[1,2]', status: 400, scimType: 'invalidSyntax' },
    { name: 'a JSON string', body: '"x"', status: 400, scimType: 'invalidSyntax' },
    { name: 'no userName', body: JSON.stringify({ schemas: [USER_SCHEMA] }), status: 400, scimType: 'invalidValue' },
    { name: 'userName not a string', body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 42 }), status: 400, scimType: 'invalidValue' },
    { name: 'unknown attribute', body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'u1@x', shoeSize: 44 }), status: 400, scimType: 'invalidSyntax' },
    {
      name: 'unknown schema URN',
      body: JSON.stringify({ schemas: [USER_SCHEMA, 'urn:example:unknown:2.0:User'], userName: 'u2@x' }),
      status: 400,
      scimType: 'invalidSyntax',
    },
    {
      name: 'data under an unknown URN',
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'u3@x', 'urn:example:unknown:2.0:User': { a: 1 } }),
      status: 400,
      scimType: 'invalidSyntax',
    },
    { name: 'emails not a list', body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'u4@x', emails: 'a@b' }), status: 400, scimType: 'invalidValue' },
    { name: 'active a number', body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'u5@x', active: 3 }), status: 400, scimType: 'invalidValue' },
    { name: 'a text/plain body', body: 'userName=x', contentType: 'text/plain', status: 415 },
    { name: 'U+0000 in a value', body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'u7@x', title: 'a\u0000b' }), status: 400, scimType: 'invalidValue' },
    { name: 'U+0000 in userName', body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'u8\u0000@x' }), status: 400, scimType: 'invalidValue' },
    { name: 'a userName longer than an index entry', body: JSON.stringify({ schemas: [USER_SCHEMA], userName: `${'é'.repeat(600)}@x` }), status: 400, scimType: 'invalidValue' },
    { name: 'a __proto__ key', body: '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u6@x","__proto__":{"admin":true}}', status: 400, scimType: 'invalidSyntax' },
  ];
  it.each(cases)('$name → $status $scimType', async ({ body, contentType, status, scimType }) => {
    const before = await read(await gw.call('/Users?count=0'));
    const res = await read(await gw.call('/Users', { method: 'POST', body, headers: { 'Content-Type': contentType ?? SCIM } }));
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/^application\/scim\+json/);
    expect(res.body.status).toBe(String(status));
    expect(res.body.scimType).toBe(scimType);
    const after = await read(await gw.call('/Users?count=0'));
    expect(after.body.totalResults).toBe(before.body.totalResults);
  });

  it('an oversized body gets 413', async () => {
    const huge = JSON.stringify(user('big@example.com', { title: 'x'.repeat(2 * 1024 * 1024) }));
    const res = await read(await gw.call('/Users', { method: 'POST', body: huge, headers: { 'Content-Type': SCIM } }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: '413' });
  });

  it('a missing id gets 404 on every method', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const json = method === 'PUT' ? user('nobody@example.com') : method === 'PATCH' ? patchOp({ op: 'replace', path: 'title', value: 'x' }) : undefined;
      const res = await read(await gw.call('/Users/00000000-0000-4000-8000-000000000000', { method, ...(json ? { json } : {}) }));
      expect(res.status, method).toBe(404);
      expect(res.body.status).toBe('404');
    }
  });

  it('an unknown endpoint is a SCIM 404', async () => {
    const res = await read(await gw.call('/Widgets'));
    expect(res.status).toBe(404);
    expect(res.type).toMatch(/^application\/scim\+json/);
  });
});

describe('GET /Users (list)', () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = [];
    for (const n of ['m3', 'm1', 'm2', 'm5', 'm4']) ids.push((await create(`list-${n}@corp.example`, { title: `T-${n}` })).id);
  });

  it('filters by userName case-insensitively, as Entra sends it (form-encoded, + for space)', async () => {
    const res = await read(await gw.call('/Users?filter=userName+eq+%22LIST-M1%40corp.example%22'));
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].userName).toBe('list-m1@corp.example');
  });

  it('a query that matches nothing is 200 with an empty ListResponse', async () => {
    const res = await read(await gw.call(`/Users?filter=${encodeURIComponent('userName eq "c5b7c4e9-0000-4d7c-9f2a-1d2b3c4d5e6f"')}`));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('pages with startIndex/count and a correct totalResults', async () => {
    const q = encodeURIComponent('userName sw "list-m"');
    const page1 = await read(await gw.call(`/Users?filter=${q}&sortBy=userName&startIndex=1&count=2`));
    const page3 = await read(await gw.call(`/Users?filter=${q}&sortBy=userName&startIndex=5&count=2`));
    expect(page1.body.totalResults).toBe(5);
    expect(page1.body.itemsPerPage).toBe(2);
    expect(page1.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['list-m1@corp.example', 'list-m2@corp.example']);
    expect(page3.body.startIndex).toBe(5);
    expect(page3.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['list-m5@corp.example']);
  });

  it('sorts descending, also on an attribute the store does not index', async () => {
    const q = encodeURIComponent('userName sw "list-m"');
    const byTitle = await read(await gw.call(`/Users?filter=${q}&sortBy=title&sortOrder=descending`));
    expect(byTitle.body.Resources.map((r: { title: string }) => r.title)).toEqual(['T-m5', 'T-m4', 'T-m3', 'T-m2', 'T-m1']);
  });

  it('filters on attributes outside the index (evaluated after the store narrows)', async () => {
    const q = encodeURIComponent('title eq "T-m4" or (userName sw "list-" and title ew "m2")');
    const res = await read(await gw.call(`/Users?filter=${q}&sortBy=userName`));
    expect(res.body.totalResults).toBe(2);
    expect(res.body.Resources.map((r: { title: string }) => r.title)).toEqual(['T-m2', 'T-m4']);
  });

  it('projects attributes and excludedAttributes; id and schemas always come back', async () => {
    const q = encodeURIComponent('userName eq "list-m3@corp.example"');
    const only = await read(await gw.call(`/Users?filter=${q}&attributes=title`));
    expect(only.body.Resources[0]).toEqual({ schemas: [USER_SCHEMA], id: ids[0], title: 'T-m3' });
    const without = await read(await gw.call(`/Users?filter=${q}&excludedAttributes=title,meta`));
    expect(without.body.Resources[0].title).toBeUndefined();
    expect(without.body.Resources[0].meta).toBeUndefined();
    expect(without.body.Resources[0].userName).toBe('list-m3@corp.example');
  });

  it('POST /.search answers like GET', async () => {
    const res = await read(
      await gw.call('/Users/.search', {
        method: 'POST',
        json: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
          filter: 'userName sw "list-m"',
          sortBy: 'userName',
          attributes: ['userName'],
          startIndex: 2,
          count: 1,
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(5);
    expect(res.body.Resources).toEqual([{ schemas: [USER_SCHEMA], id: expect.any(String), userName: 'list-m2@corp.example' }]);
  });

  const badFilters = ['userName eq', 'userName xx "a"', '(userName eq "a"', 'userName eq "a" and', 'shoeSize eq 3', 'userName eq "unterminated'];
  it.each(badFilters)('a malformed filter %j is 400 invalidFilter', async (filter) => {
    const res = await read(await gw.call(`/Users?filter=${encodeURIComponent(filter)}`));
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidFilter');
  });
});

describe('PUT, PATCH, DELETE and ETags', () => {
  it('PUT replaces the resource and bumps the version; If-Match mismatch is 412', async () => {
    const u = await create('put-me@example.com', { title: 'Old', displayName: 'Put Me' });
    const stale = await read(
      await gw.call(`/Users/${u.id}`, { method: 'PUT', json: user('put-me@example.com', { title: 'New' }), headers: { 'If-Match': 'W/"7"' } }),
    );
    expect(stale.status).toBe(412);
    const res = await read(
      await gw.call(`/Users/${u.id}`, { method: 'PUT', json: user('put-me@example.com', { title: 'New' }), headers: { 'If-Match': u.meta.version } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('New');
    expect(res.body.displayName).toBeUndefined();
    expect(res.body.meta.version).toBe('W/"2"');
  });

  it('GET with If-None-Match of the current version is 304', async () => {
    const u = await create('etag@example.com');
    const res = await gw.call(`/Users/${u.id}`, { headers: { 'If-None-Match': u.meta.version } });
    expect(res.status).toBe(304);
    const changed = await gw.call(`/Users/${u.id}`, { headers: { 'If-None-Match': 'W/"0"' } });
    expect(changed.status).toBe(200);
  });

  it('PATCH applies all operations or none', async () => {
    const u = await create('atomic@example.com', { title: 'Before' });
    const res = await read(
      await gw.call(`/Users/${u.id}`, {
        method: 'PATCH',
        json: patchOp({ op: 'replace', path: 'title', value: 'After' }, { op: 'replace', path: 'noSuchAttribute', value: 'x' }),
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidPath');
    const after = await read(await gw.call(`/Users/${u.id}`));
    expect(after.body.title).toBe('Before');
    expect(after.body.meta.version).toBe('W/"1"');
  });

  it('a valid path with a value it cannot take is 400 invalidValue (RFC 7644 §3.12), not invalidPath', async () => {
    const u = await create('bad-value@example.com');
    for (const op of [
      { op: 'replace', path: ENTERPRISE, value: { schemas: [ENTERPRISE], employeeNumber: '7' } },
      { op: 'add', value: { [ENTERPRISE]: { schemas: [ENTERPRISE], employeeNumber: '7' } } },
      { op: 'add', path: 'name', value: { nickname: 'x' } },
    ]) {
      const res = await read(await gw.call(`/Users/${u.id}`, { method: 'PATCH', json: patchOp(op) }));
      expect([res.status, res.body.scimType]).toEqual([400, 'invalidValue']);
    }
  });

  it('a PATCH that changes nothing keeps the version', async () => {
    const u = await create('noop@example.com', { title: 'Same' });
    const res = await read(await gw.call(`/Users/${u.id}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'title', value: 'Same' }) }));
    expect(res.status).toBe(200);
    expect(res.body.meta.version).toBe('W/"1"');
  });

  it('PATCH to a userName that is taken is 409 and changes nothing', async () => {
    await create('taken@example.com');
    const u = await create('wants-taken@example.com');
    const res = await read(await gw.call(`/Users/${u.id}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'userName', value: 'TAKEN@example.com' }) }));
    expect(res.status).toBe(409);
    expect(res.body.scimType).toBe('uniqueness');
    expect((await read(await gw.call(`/Users/${u.id}`))).body.userName).toBe('wants-taken@example.com');
  });

  it('DELETE is 204, then 404', async () => {
    const u = await create('delete-me@example.com');
    expect((await gw.call(`/Users/${u.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await gw.call(`/Users/${u.id}`)).status).toBe(404);
    expect((await gw.call(`/Users/${u.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('every write is in the audit trail with its result', async () => {
    const u = await create('audited@example.com');
    await gw.call(`/Users/${u.id}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'nope', value: 1 }) });
    await gw.call(`/Users/${u.id}`, { method: 'DELETE' });
    const audit = await gw.gateway.store.readAudit('directory', 3);
    expect(audit.map((a) => [a.action, a.resourceId, a.status])).toEqual([
      ['delete', u.id, 204],
      ['patch', u.id, 400],
      ['create', u.id, 201],
    ]);
    expect(audit[1]!.detail).toMatch(/invalidPath/);
  });
});

/**
 * Nesting depth is bounded at the door, for every body, before the dialect or any recursive code sees it:
 * deeper than `server.maxJsonDepth` is 400 invalidSyntax, never a 500 from a stack overflow, and nothing
 * is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP_SCHEMA, patchOp, read, SCIM, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
let shallow: TestGateway;
let userId: string;
let groupId: string;

/** Stands for the deep value in a body; replaced in its JSON text (JSON.stringify itself would overflow). */
const DEEP = '@deep';
const LEVELS = 10_000;
const bodyText = (body: unknown) => JSON.stringify(body).replace(`"${DEEP}"`, `${'['.repeat(LEVELS)}"boss-1"${']'.repeat(LEVELS)}`);

beforeAll(async () => {
  [gw, shallow] = await Promise.all([
    startGateway(),
    startGateway({
      configYaml: ['server: { maxJsonDepth: 6 }', 'apps:', `  directory: { connector: store, auth: { secrets: [{ env: SCIM_BRIDGE_TOKEN }] }, schemas: { User: [${ENTERPRISE}] } }`, ''].join('\n'),
    }),
  ]);
  userId = (await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'deep@example.com' } }))).body.id;
  groupId = (await read(await gw.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'Deep' } }))).body.id;
});

afterAll(async () => {
  await Promise.all([gw?.close(), shallow?.close()]);
});

describe(`a ${LEVELS}-level nested value`, () => {
  const deep = DEEP;
  const requests: { name: string; method: string; path: () => string; body: unknown }[] = [
    { name: 'POST /Users, enterprise manager', method: 'POST', path: () => '/Users', body: { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'm@example.com', [ENTERPRISE]: { manager: deep } } },
    { name: 'POST /Users, manager at the top level', method: 'POST', path: () => '/Users', body: { schemas: [USER_SCHEMA], userName: 'm@example.com', manager: deep } },
    { name: 'PUT /Users/{id}', method: 'PUT', path: () => `/Users/${userId}`, body: { schemas: [USER_SCHEMA], userName: 'deep@example.com', [ENTERPRISE]: { manager: deep } } },
    { name: 'PATCH /Users/{id}, Add manager (Entra)', method: 'PATCH', path: () => `/Users/${userId}`, body: patchOp({ op: 'Add', path: 'manager', value: deep }) },
    { name: 'PATCH /Users/{id}, path-less Replace', method: 'PATCH', path: () => `/Users/${userId}`, body: patchOp({ op: 'Replace', value: { [ENTERPRISE]: { manager: deep } } }) },
    { name: 'PATCH /Groups/{id}, Remove members', method: 'PATCH', path: () => `/Groups/${groupId}`, body: patchOp({ op: 'Remove', path: 'members', value: deep }) },
    { name: 'POST /Groups, members', method: 'POST', path: () => '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: 'x', members: deep } },
    { name: 'POST /Users/.search', method: 'POST', path: () => '/Users/.search', body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: deep } },
    { name: 'a whole body that is one deep array', method: 'PATCH', path: () => `/Users/${userId}`, body: deep },
  ];

  it.each(requests)('$name: 400 invalidSyntax, nothing written', async ({ method, path, body }) => {
    const before = await read(await gw.call(`/Users/${userId}`));
    const res = await read(await gw.call(path(), { method, body: bodyText(body), headers: { 'Content-Type': SCIM } }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: '400', scimType: 'invalidSyntax', detail: expect.stringContaining('nested deeper than 32 levels') });
    expect((await read(await gw.call('/Users?count=0'))).body.totalResults).toBe(1);
    expect((await read(await gw.call(`/Users/${userId}`))).headers.get('etag')).toBe(before.headers.get('etag'));
    expect(gw.logs.some((l) => /"level":50/.test(l))).toBe(false);
  });
});

describe('server.maxJsonDepth (6 here)', () => {
  it("Entra's manager PATCH (6 levels) passes; one more level is refused", async () => {
    const id = (await read(await shallow.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'six@example.com' } }))).body.id;
    const six = patchOp({ op: 'Replace', value: { [ENTERPRISE]: { manager: { value: 'boss-1' } } } });
    expect((await shallow.call(`/Users/${id}`, { method: 'PATCH', json: six })).status).toBe(200);
    const seven = patchOp({ op: 'Replace', value: { [ENTERPRISE]: { manager: [{ value: 'boss-2' }] } } });
    const refused = await read(await shallow.call(`/Users/${id}`, { method: 'PATCH', json: seven }));
    expect([refused.status, refused.body.scimType]).toEqual([400, 'invalidSyntax']);
    expect(refused.body.detail).toContain('nested deeper than 6 levels');
  });
});

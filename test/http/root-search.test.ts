/**
 * POST /.search at the app root (RFC 7644 §3.4.3): one query over every resource type — Users and Groups
 * in one ListResponse, paged as one list (Users first, then Groups, unless sortBy orders them together).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway();
  for (const [userName, displayName] of [['zed@example.com', 'Zed'], ['amy@example.com', 'Amy'], ['bob@example.com', 'Bob']]) {
    expect((await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName, displayName } })).status).toBe(201);
  }
  for (const displayName of ['Mid', 'Engineering']) {
    expect((await gw.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName } })).status).toBe(201);
  }
});
afterAll(async () => {
  await gw.close();
});

async function search(request: Record<string, unknown>) {
  return read(await gw.call('/.search', { method: 'POST', json: { schemas: [SEARCH], ...request } }));
}
const types = (body: { Resources: { meta?: { resourceType: string } }[] }) => body.Resources.map((r) => r.meta?.resourceType);
const names = (body: { Resources: { userName?: string; displayName?: string }[] }) => body.Resources.map((r) => r.userName ?? r.displayName);

describe('POST /.search at the app root', () => {
  it('lists Users and Groups in one ListResponse', async () => {
    const res = await search({});
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 5, startIndex: 1, itemsPerPage: 5 });
    expect(types(res.body)).toEqual(['User', 'User', 'User', 'Group', 'Group']);
  });

  it('pages across both types', async () => {
    const pages = [];
    for (const startIndex of [1, 3, 5, 7]) {
      const res = await search({ startIndex, count: 2 });
      expect(res.body.totalResults).toBe(5);
      expect(res.body.startIndex).toBe(startIndex);
      pages.push(names(res.body));
    }
    expect(pages).toEqual([['zed@example.com', 'amy@example.com'], ['bob@example.com', 'Mid'], ['Engineering'], []]);
    const none = await search({ count: 0 });
    expect([none.body.totalResults, none.body.itemsPerPage, none.body.Resources]).toEqual([5, 0, []]);
  });

  it('filters each type by the attributes it has; an attribute neither has is invalidFilter', async () => {
    expect(names((await search({ filter: 'displayName co "m"' })).body)).toEqual(['amy@example.com', 'Mid']);
    // Groups have no userName: only users can match.
    expect(names((await search({ filter: 'userName sw "b"' })).body)).toEqual(['bob@example.com']);
    const bad = await search({ filter: 'shoeSize eq 9' });
    expect([bad.status, bad.body.scimType]).toEqual([400, 'invalidFilter']);
  });

  it('sorts Users and Groups together by sortBy, and projects with attributes', async () => {
    const res = await search({ sortBy: 'displayName', attributes: ['displayName'], startIndex: 2, count: 3 });
    expect(res.body.totalResults).toBe(5);
    expect(res.body.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(['Bob', 'Engineering', 'Mid']);
    expect(Object.keys(res.body.Resources[0]).sort()).toEqual(['displayName', 'id', 'schemas']);
    const descending = await search({ sortBy: 'displayName', sortOrder: 'descending', count: 2, attributes: ['displayName'] });
    expect(descending.body.Resources.map((r: { displayName: string }) => r.displayName)).toEqual(['Zed', 'Mid']);
  });

  it('is POST only, and needs the SearchRequest schema', async () => {
    expect((await gw.call('/.search')).status).toBe(405);
    const res = read(await gw.call('/.search', { method: 'POST', json: { filter: 'userName pr' } }));
    expect((await res).body.scimType).toBe('invalidSyntax');
  });
});

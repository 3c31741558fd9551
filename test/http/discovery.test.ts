/** Discovery endpoints (RFC 7644 §4), generated from the app's schema registry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, FIFTEEN_FIVE, GROUP_SCHEMA, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.close();
});

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(hasNull);
  if (typeof value === 'object') return Object.values(value as object).some(hasNull);
  return false;
}

describe('discovery', () => {
  it('ServiceProviderConfig says what is supported', async () => {
    const res = await read(await gw.call('/ServiceProviderConfig'));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 1000 },
      sort: { supported: true },
      etag: { supported: true },
      changePassword: { supported: false },
    });
    expect(res.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('ResourceTypes lists User (with both extensions) and Group', async () => {
    const res = await read(await gw.call('/ResourceTypes'));
    expect(res.body.totalResults).toBe(2);
    const [userType, groupType] = res.body.Resources;
    expect(userType).toMatchObject({ id: 'User', endpoint: '/Users', schema: USER_SCHEMA });
    expect(userType.schemaExtensions).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: FIFTEEN_FIVE, required: false },
    ]);
    expect(groupType).toMatchObject({ id: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, schemaExtensions: [] });
    const one = await read(await gw.call('/ResourceTypes/User'));
    expect(one.body).toEqual(userType);
    expect((await gw.call('/ResourceTypes/Widget')).status).toBe(404);
  });

  it('Schemas is a ListResponse of every schema, without null values, each also at /Schemas/{id}', async () => {
    const res = await read(await gw.call('/Schemas'));
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    expect(res.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE, FIFTEEN_FIVE]);
    expect(hasNull(res.body)).toBe(false);
    const fifteen = await read(await gw.call(`/Schemas/${FIFTEEN_FIVE}`));
    expect(fifteen.body.attributes.map((a: { name: string; type: string }) => [a.name, a.type])).toEqual([
      ['location', 'string'],
      ['startDate', 'string'],
    ]);
    const userName = res.body.Resources[0].attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server' });
    expect((await gw.call('/Schemas/urn:nope')).status).toBe(404);
  });

  it('/Bulk is 501 and an unknown method on /Users is 405', async () => {
    expect((await gw.call('/Bulk', { method: 'POST', json: {} })).status).toBe(501);
    const res = await read(await gw.call('/Users', { method: 'DELETE' }));
    expect(res.status).toBe(405);
    expect(res.body.status).toBe('405');
  });
});

/**
 * explain for a scim app: the request through the gateway's own door and the real scim connector, nothing
 * sent — Entra's forms undone, the date in 15Five's layout, each normalize rule noted.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { explainScimRequest } from '../../../src/connectors/scim/explain.js';
import { DEMO_DOWNSTREAM_STAND_INS } from '../../e2e/support.js';

const FIVE = 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User';
const DEMO = resolve(import.meta.dirname, '../../../config/demo.yaml');
const ENV = {
  ...DEMO_DOWNSTREAM_STAND_INS,
  SCIM_BRIDGE_TOKEN: 'x'.repeat(20),
  FIFTEEN_FIVE_SCIM_URL: 'https://acme.15five.example/scim/v2',
  FIFTEEN_FIVE_SCIM_TOKEN: 'scim-key',
};

describe('explain, scim app', () => {
  const app = loadConfig(DEMO, { dataDir: '/tmp', env: ENV }).apps.get('15five-scim')!;
  const explain = (input: unknown) => explainScimRequest({ name: app.name, dialect: app.dialect, registry: app.registry, scim: app.scim! }, input);

  it('a create in Entra form: the body 15Five gets, its date in MM/DD/YYYY, the rules that made it', async () => {
    const calls = await explain({
      method: 'POST',
      path: '/Users',
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'a@x', name: { givenName: 'A', familyName: 'X' }, active: 'True', meta: { resourceType: 'User' }, [FIVE]: { startDate: '2026-03-01T00:00:00Z' } },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'https://acme.15five.example/scim/v2/Users', operation: 'users.create' });
    expect(calls[0]!.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', FIVE], userName: 'a@x', name: { givenName: 'A', familyName: 'X' }, active: true, [FIVE]: { startDate: '03/01/2026' } });
    expect(calls[0]!.notes).toContain(`normalize value ${FIVE}:startDate: a date, sent as MM/DD/YYYY (ISO 8601 and AD generalized time are read)`);
  });

  it("a lookup: what 15Five is asked; a date it cannot take is the gateway's 400", async () => {
    const calls = await explain({ method: 'GET', path: '/Users?filter=userName eq "a@x"' });
    expect(calls.map((c) => c.url)).toEqual(['https://acme.15five.example/scim/v2/Users?filter=userName+eq+%22a%40x%22']);
    await expect(explain({ method: 'POST', path: '/Users', body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'b@x', name: { givenName: 'B', familyName: 'X' }, [FIVE]: { hireDate: 'soon' } } })).rejects.toMatchObject({
      status: 400,
      scimType: 'invalidValue',
    });
  });
});

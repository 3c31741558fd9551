/** explain: the native calls a SCIM request would cause, printed without making them. */
import { describe, expect, it } from 'vitest';
import { explainRequest, type ExplainApp } from '../../../src/connectors/rest/explain.js';
import { ScimError } from '../../../src/scim/errors.js';
import { bundledPlugin, ENTERPRISE, FIFTEEN_FIVE, USER } from './support.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function app(name: string, baseUrl: string): ExplainApp {
  const plugin = bundledPlugin(name);
  return { name, dialect: 'entra', registry: plugin.registry, plugin, downstream: { baseUrl } };
}
const fifteen = app('15five', 'https://my.15five.com/api/public');
const bamboo = app('bamboohr', 'https://api.bamboohr.com/api/gateway.php/acme/v1');
const hibob = app('hibob', 'https://api.hibob.com');

const ada = {
  schemas: [USER, ENTERPRISE, FIFTEEN_FIVE],
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ type: 'work', value: 'ada@example.com', primary: true }],
  active: true,
  // Entra's quirks are undone as the gateway would: a bare manager id.
  [ENTERPRISE]: { manager: '123' },
  [FIFTEEN_FIVE]: { startDate: '2024-03-05T00:00:00Z' },
};

describe('explainRequest', () => {
  it('a 15Five create: the adoption search, the bulk create of one, then the update with what the create cannot carry', async () => {
    expect(await explainRequest(fifteen, { method: 'POST', path: '/Users', body: ada })).toEqual([
      {
        operation: 'users.search',
        method: 'GET',
        url: 'https://my.15five.com/api/public/user/?email=ada%40example.com',
        notes: ['no adoption: 0 record(s) returned before a create; none matched: the search answered no record'],
      },
      {
        operation: 'users.create',
        method: 'POST',
        url: 'https://my.15five.com/api/public/user/bulk/',
        body: [{ email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', reviewer_id: '<native id of User 123>', is_active: true }],
        notes: ['if a 200/201 answer has "0.errors" not empty: 400 invalidValue "15Five refused the user in its bulk answer"'],
      },
      {
        operation: 'users.update',
        method: 'PUT',
        url: 'https://my.15five.com/api/public/user/<new native id>/',
        body: { start_date_ts: '1709596800' },
      },
    ]);
  });

  it('an Entra PATCH that disables a HiBob user: only the changed field, then the termination endpoint', async () => {
    const before = { schemas: [USER], id: 'u1', userName: 'ada@example.com', active: true, title: 'Engineer' };
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }, { op: 'Replace', path: 'title', value: 'Lead' }] };
    const calls = await explainRequest(hibob, { method: 'PATCH', path: '/Users/u1', before, body });
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ['PUT', 'https://api.hibob.com/v1/people/<native id of User u1>'],
      ['POST', 'https://api.hibob.com/v1/employees/<native id of User u1>/terminate'],
    ]);
    expect(calls[0]!.body).toEqual({ work: { title: 'Lead' } });
    expect(calls[1]!.body).toMatchObject({ terminationDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('a BambooHR create of an inactive user sends status Inactive, then reads it back (verify: readBack)', async () => {
    const calls = await explainRequest(bamboo, { method: 'POST', path: '/Users', body: { schemas: [USER], userName: 'b@x.y', active: false } });
    expect(calls.map((c) => c.operation)).toEqual(['users.search', 'users.create', 'users.read']);
    expect(calls[1]!.body).toEqual({ workEmail: 'b@x.y', status: 'Inactive' });
    expect(calls[2]!.notes).toEqual(['verify: read back with users.read and compare workEmail, status']);
  });

  it('a filter the plugin can search natively, and one it cannot', async () => {
    const byName = await explainRequest(hibob, { method: 'GET', path: '/Users?filter=userName+eq+%22ada%40example.com%22' });
    expect(byName).toEqual([
      {
        operation: 'users.search',
        method: 'POST',
        url: 'https://api.hibob.com/v1/people/search',
        body: { filters: [{ fieldPath: 'root.email', operator: 'equals', values: ['ada@example.com'] }], showInactive: true },
        notes: ['no adoption: 0 record(s) returned for a filter the gateway could not answer; none matched: the search answered no record'],
      },
    ]);
    expect(await explainRequest(hibob, { method: 'GET', path: '/Users?filter=displayName+eq+%22Ada%22' })).toEqual([]);
  });

  it('a filter is looked up as the gateway looks it up: attribute case, URN prefix and a multi-valued attribute resolved', async () => {
    const expected = await explainRequest(hibob, { method: 'GET', path: '/Users?filter=userName+eq+%22ada%40example.com%22' });
    expect(expected.map((c) => c.operation)).toEqual(['users.search']);
    for (const filter of ['UserName eq "ada@example.com"', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@example.com"']) {
      expect(await explainRequest(hibob, { method: 'GET', path: `/Users?filter=${encodeURIComponent(filter)}` })).toEqual(expected);
    }
    const byEmail = await explainRequest(hibob, { method: 'GET', path: `/Users?filter=${encodeURIComponent('emails eq "ada@example.com"')}` });
    expect(byEmail.map((c) => [c.operation, c.body])).toEqual(expected.map((c) => [c.operation, c.body]));
  });

  it('a user delete, and a given native id printed URL-encoded as it would be sent', async () => {
    expect(await explainRequest(fifteen, { method: 'DELETE', path: '/Users/u1' })).toEqual([
      { operation: 'users.update', method: 'PUT', url: 'https://my.15five.com/api/public/user/<native id of User u1>/', body: { is_active: false } },
    ]);
    const hostile = await explainRequest(fifteen, { method: 'DELETE', path: '/Users/u1', nativeId: '../../admin' });
    expect(hostile[0]!.url).toBe('https://my.15five.com/api/public/user/..%2F..%2Fadmin/');
  });

  it('a 15Five group create: the groups are searched by name, no native create exists', async () => {
    const calls = await explainRequest(fifteen, { method: 'POST', path: '/Groups', body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales' } }).catch((e: unknown) => e);
    expect(calls).toBeInstanceOf(ScimError);
    expect((calls as ScimError).message).toContain('15five cannot create groups through its API');
  });

  it('BambooHR groups make no native call', async () => {
    expect(await explainRequest(bamboo, { method: 'POST', path: '/Groups', body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Sales' } })).toEqual([]);
  });

  const refused: { name: string; input: unknown; status: number; scimType?: string }[] = [
    { name: 'an input that is not a request', input: { verb: 'POST' }, status: 400, scimType: 'invalidSyntax' },
    { name: 'an unknown endpoint', input: { method: 'POST', path: '/Admins' }, status: 400, scimType: 'invalidSyntax' },
    { name: 'a body the gateway refuses', input: { method: 'POST', path: '/Users', body: { schemas: [USER], userName: 'x', shoeSize: 44 } }, status: 400, scimType: 'invalidSyntax' },
    { name: 'a PATCH without before', input: { method: 'PATCH', path: '/Users/1', body: { schemas: [PATCH_OP], Operations: [] } }, status: 400, scimType: 'invalidValue' },
    { name: 'a start date that is not a date', input: { method: 'POST', path: '/Users', body: { ...ada, [FIFTEEN_FIVE]: { startDate: 'soon' } } }, status: 400, scimType: 'invalidValue' },
  ];
  it.each(refused)('refuses $name with $status $scimType', async ({ input, status, scimType }) => {
    const error = await explainRequest(fifteen, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(status);
    expect((error as ScimError).scimType).toBe(scimType);
  });
});

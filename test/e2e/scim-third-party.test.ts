/**
 * The scim connector against a SCIM service provider nobody here wrote (SCIMMY + scimmy-routers, from
 * npm, a real HTTP server): the Entra sequence sent through the gateway, in Entra's dialect, must leave
 * that server holding exactly what a strict client writing the same changes directly leaves in a second,
 * identical store of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP_SCHEMA, patchOp, read, startGateway, TEST_TOKEN, USER_SCHEMA, type TestGateway } from '../support/gateway.js';
import { SCIMMY_TOKEN, startScimmy, type ScimmyServer } from '../support/scimmy-server.js';

type Json = Record<string, any>;

const CONFIG = `
apps:
  thirdparty:
    connector: scim
    dialect: entra
    downstream:
      baseUrl: { env: SCIMMY_URL }
      credentials: { token: { env: SCIMMY_TOKEN } }
    schemas:
      User: [urn:ietf:params:scim:schemas:extension:enterprise:2.0:User]
    auth:
      secrets:
        - env: SCIM_BRIDGE_TOKEN
`;

/** A strict client of mount b: what the same changes look like written directly. */
function direct(scimmy: ScimmyServer) {
  return async (path: string, method: string, json?: unknown): Promise<Json> => {
    const res = await fetch(`${scimmy.url('b')}${path}`, {
      method,
      headers: { authorization: `Bearer ${SCIMMY_TOKEN}`, 'content-type': 'application/scim+json' },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const text = await res.text();
    expect(res.status, text).toBeLessThan(300);
    return text ? (JSON.parse(text) as Json) : {};
  };
}

/** A store's content with its own ids replaced by names, server-set fields left out: comparable across stores. */
function comparable(users: Json[], groups: Json[]): unknown {
  const names = new Map<string, string>([...users.map((u) => [u.id, `user:${u.userName}`] as const), ...groups.map((g) => [g.id, `group:${g.displayName}`] as const)]);
  const user = ({ id: _id, meta: _meta, groups: _groups, ...u }: Json) => {
    const ext = u[ENTERPRISE] as Json | undefined;
    if (ext?.manager) ext.manager = names.get(ext.manager.value);
    return u;
  };
  const group = ({ id: _id, meta: _meta, ...g }: Json): Json => ({ ...g, members: ((g.members ?? []) as Json[]).map((m) => names.get(m.value)).sort() });
  return {
    users: users.map(user).sort((a, b) => String(a.userName).localeCompare(String(b.userName))),
    groups: groups.map(group).sort((a, b) => String(a.displayName).localeCompare(String(b.displayName))),
  };
}

describe('scim connector → SCIMMY (a third-party SCIM server)', () => {
  let scimmy: ScimmyServer;
  let gw: TestGateway;
  beforeAll(async () => {
    scimmy = await startScimmy();
    gw = await startGateway({
      configYaml: CONFIG,
      env: { SCIM_BRIDGE_TOKEN: TEST_TOKEN, SCIMMY_URL: scimmy.url('a'), SCIMMY_TOKEN },
      app: 'thirdparty',
    });
  });
  afterAll(async () => {
    await gw?.close();
    await scimmy?.close();
  });

  it('the Entra sequence through the gateway leaves what a strict client leaves', async () => {
    const call = async (path: string, method: string, json?: unknown) => {
      const res = await read(await gw.call(path, { method, ...(json === undefined ? {} : { json }) }));
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      return res.body as Json;
    };
    const strict = direct(scimmy);
    const user = (userName: string, given: string, extra: Json = {}) => ({
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName,
      externalId: `ext-${given}`,
      active: true,
      name: { givenName: given, familyName: 'Test' },
      emails: [{ value: userName, type: 'work', primary: true }],
      [ENTERPRISE]: { employeeNumber: `E-${given}` },
      ...extra,
    });

    // Entra, through the gateway: its quirks (client meta, roles: [], capitalised ops, "False", bare manager id,
    // member removal by value list, dotted no-path keys, $ref: null, the AD group schema).
    const boss = await call('/Users', 'POST', { ...user('boss@acme.example', 'Boss'), meta: { resourceType: 'User' }, roles: [] });
    const ada = await call('/Users', 'POST', { ...user('ada@acme.example', 'Ada', { title: 'Engineer' }), meta: { resourceType: 'User' } });
    await call(`/Users/${ada.id}`, 'PATCH', patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id }, { op: 'Replace', path: 'title', value: 'Principal' }));
    await call(`/Users/${ada.id}`, 'PATCH', patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    await call(`/Users/${ada.id}`, 'PATCH', patchOp({ op: 'replace', value: { 'name.givenName': 'Augusta' } }));
    const group = await call('/Groups', 'POST', {
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: 'grp-1',
      displayName: 'Engineering',
      meta: { resourceType: 'Group' },
    });
    await call(`/Groups/${group.id}`, 'PATCH', patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: ada.id }, { $ref: null, value: boss.id }] }));
    await call(`/Groups/${group.id}`, 'PATCH', patchOp({ op: 'Remove', path: 'members', value: [{ value: boss.id }] }));

    // The same changes, written directly by a strict RFC 7644 client.
    const bossB = await strict('/Users', 'POST', user('boss@acme.example', 'Boss'));
    const adaB = await strict('/Users', 'POST', user('ada@acme.example', 'Ada', { title: 'Engineer' }));
    const op = (...ops: object[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
    await strict(`/Users/${adaB.id}`, 'PATCH', op({ op: 'add', path: `${ENTERPRISE}:manager`, value: { value: bossB.id } }, { op: 'replace', path: 'title', value: 'Principal' }));
    await strict(`/Users/${adaB.id}`, 'PATCH', op({ op: 'replace', path: 'active', value: false }));
    await strict(`/Users/${adaB.id}`, 'PATCH', op({ op: 'replace', path: 'name.givenName', value: 'Augusta' }));
    const groupB = await strict('/Groups', 'POST', { schemas: [GROUP_SCHEMA], externalId: 'grp-1', displayName: 'Engineering' });
    await strict(`/Groups/${groupB.id}`, 'PATCH', op({ op: 'add', path: 'members', value: [{ value: adaB.id }, { value: bossB.id }] }));
    await strict(`/Groups/${groupB.id}`, 'PATCH', op({ op: 'remove', path: `members[value eq "${bossB.id}"]` }));

    const viaGateway = comparable(scimmy.users('a'), scimmy.groups('a'));
    expect(viaGateway).toEqual(comparable(scimmy.users('b'), scimmy.groups('b')));
    // Not two empty stores: the sequence's effects are there.
    expect(viaGateway).toMatchObject({
      users: [{ userName: 'ada@acme.example', active: false, title: 'Principal', name: { givenName: 'Augusta' }, [ENTERPRISE]: { manager: 'user:boss@acme.example' } }, { userName: 'boss@acme.example' }],
      groups: [{ displayName: 'Engineering', members: ['user:ada@acme.example'] }],
    });
  });

  it("reads are the gateway's: exactly what Entra sent, with the gateway's locations", async () => {
    const found = await read(await gw.call(`/Users?filter=${encodeURIComponent('userName eq "ada@acme.example"')}`));
    const ada = found.body.Resources[0];
    expect(ada.active).toBe(false);
    expect(ada.meta.location).toBe(`${gw.base}/Users/${ada.id}`);
    expect(ada[ENTERPRISE].manager.value).not.toBe(scimmy.users('a').find((u) => u.userName === 'boss@acme.example')!.id);
  });

  it("a user created directly in the server is adopted by Entra's lookup, not duplicated", async () => {
    await direct(scimmy)('/Users', 'POST', { schemas: [USER_SCHEMA], userName: 'pre@acme.example', name: { givenName: 'Pre', familyName: 'Existing' } });
    // The direct client wrote to b; the same record in a (the gateway's server) is made by hand here.
    const res = await fetch(`${scimmy.url('a')}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SCIMMY_TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'pre@acme.example', name: { givenName: 'Pre', familyName: 'Existing' } }),
    });
    expect(res.status).toBe(201);
    const found = await read(await gw.call(`/Users?filter=${encodeURIComponent('userName eq "pre@acme.example"')}`));
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].name).toMatchObject({ givenName: 'Pre' });
    expect(scimmy.users('a').filter((u) => u.userName === 'pre@acme.example')).toHaveLength(1);
  });
});

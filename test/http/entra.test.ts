/**
 * End to end, Microsoft's documented Entra requests replayed over HTTP in the order the provisioning
 * service sends them. Bodies follow "Tutorial: Develop and plan provisioning for a SCIM endpoint in
 * Microsoft Entra ID" (use-scim-to-provision-users-and-groups, §"User Operations" and "Group Operations")
 * and "Known issues and resolutions with SCIM 2.0 protocol compliance" (the aadOptscim062020 flag).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE, FIFTEEN_FIVE, GROUP_SCHEMA, patchOp, read, startGateway, USER_SCHEMA, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.close();
});

const q = (filter: string) => `filter=${encodeURIComponent(filter).replace(/%20/g, '+')}`;

async function getUser(id: string) {
  const res = await read(await gw.call(`/Users/${id}`));
  expect(res.status).toBe(200);
  return res.body;
}

describe('Test Connection', () => {
  it('queries a random userName and gets 200 with an empty ListResponse', async () => {
    const res = await read(await gw.call(`/Users?${q('userName eq "non-existent user"')}`));
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
    expect(res.body.Resources).toEqual([]);
  });
});

describe('the tutorial user sequence', () => {
  let id = '';
  const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';

  it('Create User (with meta and roles: [])', async () => {
    const res = await read(
      await gw.call('/Users', {
        method: 'POST',
        json: {
          schemas: [USER_SCHEMA, ENTERPRISE],
          externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
          userName,
          active: true,
          emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
          meta: { resourceType: 'User' },
          name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
          roles: [],
        },
      }),
    );
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.body.active).toBe(true);
    expect(res.body.roles).toBeUndefined();
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
  });

  it('Get User by query (userName) and by externalId', async () => {
    const byName = await read(await gw.call(`/Users?${q(`userName eq "${userName}"`)}`));
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].id).toBe(id);
    const byExternal = await read(await gw.call(`/Users?${q('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`));
    expect(byExternal.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    // externalId is caseExact: another case is another value.
    const wrongCase = await read(await gw.call(`/Users?${q('externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"')}`));
    expect(wrongCase.body.totalResults).toBe(0);
  });

  it('Update User [Multi-valued properties]', async () => {
    const res = await read(
      await gw.call(`/Users/${id}`, {
        method: 'PATCH',
        json: patchOp(
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        ),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }]);
    expect(res.body.name).toEqual({ formatted: 'givenName familyName', familyName: 'updatedFamilyName', givenName: 'givenName' });
  });

  it('Update User [Single-valued properties]', async () => {
    const res = await read(
      await gw.call(`/Users/${id}`, {
        method: 'PATCH',
        json: patchOp({ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
  });

  it('Disable User with "False" as a string (without aadOptscim062020); still found by GET and filter', async () => {
    const res = await read(await gw.call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'active', value: 'False' }) }));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    const found = await read(await gw.call(`/Users?${q('userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"')}`));
    expect(found.body.Resources[0].active).toBe(false);
  });

  it('Enable User with a no-path replace (aadOptscim062020)', async () => {
    const res = await read(await gw.call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'replace', value: { active: true } }) }));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(true);
  });

  it('no-path replace with dotted and URN-qualified keys (aadOptscim062020)', async () => {
    const res = await read(
      await gw.call(`/Users/${id}`, {
        method: 'PATCH',
        json: patchOp({
          op: 'replace',
          value: {
            displayName: 'Pat Doe',
            'name.givenName': 'Pat',
            'name.familyName': 'Doe',
            [`${ENTERPRISE}:employeeNumber`]: '12345',
            [`${FIFTEEN_FIVE}:location`]: 'Lisbon',
          },
        }),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('Pat Doe');
    expect(res.body.name).toMatchObject({ givenName: 'Pat', familyName: 'Doe' });
    expect(res.body[ENTERPRISE]).toEqual({ employeeNumber: '12345' });
    expect(res.body[FIFTEEN_FIVE]).toEqual({ location: 'Lisbon' });
    expect(res.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE, FIFTEEN_FIVE]);
  });

  it('Add of an attribute with a capitalised op (Add nickName)', async () => {
    const res = await read(await gw.call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: 'nickName', value: 'Babs' }) }));
    expect(res.body.nickName).toBe('Babs');
  });

  it('Delete User', async () => {
    expect((await gw.call(`/Users/${id}`, { method: 'DELETE' })).status).toBe(204);
    const res = await read(await gw.call(`/Users?${q('userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"')}`));
    expect(res.body.totalResults).toBe(0);
  });
});

describe('manager: created first, patched afterwards, every documented form', () => {
  let boss = '';
  let other = '';
  let report = '';
  beforeAll(async () => {
    for (const [name, set] of [
      ['boss@contoso.com', (v: string) => (boss = v)],
      ['other-boss@contoso.com', (v: string) => (other = v)],
      ['report@contoso.com', (v: string) => (report = v)],
    ] as const) {
      const res = await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: name } }));
      set(res.body.id);
    }
  });

  it('a create body may carry the manager as a bare id string; it is returned as {value}', async () => {
    const res = await read(
      await gw.call('/Users', {
        method: 'POST',
        json: { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'bare-manager@contoso.com', [ENTERPRISE]: { manager: boss } },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body[ENTERPRISE].manager).toEqual({ value: boss });
  });

  it('Add with a bare id on the URN path', async () => {
    const res = await read(
      await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss }) }),
    );
    expect(res.status).toBe(200);
    expect(res.body[ENTERPRISE].manager).toEqual({ value: boss });
    expect(res.body.schemas).toContain(ENTERPRISE);
  });

  it('the probe `id eq … and manager eq …&attributes=id` finds the user', async () => {
    const res = await read(await gw.call(`/Users?${q(`id eq "${report}" and manager eq "${boss}"`)}&attributes=id`));
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual([{ schemas: [USER_SCHEMA], id: report }]);
    const miss = await read(await gw.call(`/Users?${q(`id eq "${report}" and manager eq "${other}"`)}&attributes=id`));
    expect(miss.body.totalResults).toBe(0);
  });

  it('Replace with a [{"$ref","value"}] list', async () => {
    const res = await read(
      await gw.call(`/Users/${report}`, {
        method: 'PATCH',
        json: patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: [{ $ref: null, value: other }] }),
      }),
    );
    expect(res.body[ENTERPRISE].manager).toEqual({ value: other });
  });

  it('remove with path manager[value eq "id"] removes only a matching manager', async () => {
    const wrong = await read(
      await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'remove', path: `manager[value eq "${boss}"]` }) }),
    );
    expect(wrong.body[ENTERPRISE].manager).toEqual({ value: other });
    const right = await read(
      await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'remove', path: `manager[value eq "${other}"]` }) }),
    );
    expect(right.body[ENTERPRISE]).toBeUndefined();
    expect(right.body.schemas).toEqual([USER_SCHEMA]);
  });

  it('replace with "" clears it (the gallery validator also sends null)', async () => {
    await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss }) });
    const cleared = await read(
      await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }) }),
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body[ENTERPRISE]).toBeUndefined();
    await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss }) });
    const nulled = await read(
      await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: null }) }),
    );
    expect(nulled.body[ENTERPRISE]).toBeUndefined();
  });

  it('Remove on the URN path', async () => {
    await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss }) });
    const res = await read(await gw.call(`/Users/${report}`, { method: 'PATCH', json: patchOp({ op: 'Remove', path: `${ENTERPRISE}:manager` }) }));
    expect(res.body[ENTERPRISE]).toBeUndefined();
  });
});

describe('the tutorial group sequence', () => {
  let groupId = '';
  const members: string[] = [];
  beforeAll(async () => {
    for (const n of [1, 2, 3]) {
      const res = await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: `member${n}@contoso.com` } }));
      members.push(res.body.id);
    }
  });

  it('Create Group (with the ADSCIM schema and meta)', async () => {
    const res = await read(
      await gw.call('/Groups', {
        method: 'POST',
        json: {
          schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
          externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
          displayName: 'displayName',
          meta: { resourceType: 'Group' },
        },
      }),
    );
    expect(res.status).toBe(201);
    groupId = res.body.id;
    expect(res.body.schemas).toEqual([GROUP_SCHEMA]);
    expect(res.body.displayName).toBe('displayName');
    expect(res.headers.get('location')).toBe(`${gw.base}/Groups/${groupId}`);
  });

  it('a second group with the same displayName is 409 uniqueness', async () => {
    const res = await read(await gw.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'DISPLAYNAME' } }));
    expect(res.status).toBe(409);
    expect(res.body.scimType).toBe('uniqueness');
  });

  it('Get Group by displayName with excludedAttributes=members', async () => {
    const res = await read(await gw.call(`/Groups?excludedAttributes=members&${q('displayName eq "displayName"')}`));
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(groupId);
    expect(res.body.Resources[0].members).toBeUndefined();
  });

  it('Update Group [Add Members] with "$ref": null, answered 204', async () => {
    const res = await gw.call(`/Groups/${groupId}`, {
      method: 'PATCH',
      json: patchOp({ op: 'Add', path: 'members', value: members.map((value) => ({ $ref: null, value })) }),
    });
    expect(res.status).toBe(204);
    const group = await read(await gw.call(`/Groups/${groupId}`));
    expect(group.body.members).toEqual(members.map((value) => ({ value })));
    const user = await getUser(members[0]!);
    expect(user.groups).toEqual([{ value: groupId, $ref: `${gw.base}/Groups/${groupId}`, display: 'displayName', type: 'direct' }]);
  });

  it('Update Group [Remove Members] (Remove + path members + a value list) removes only those', async () => {
    const res = await gw.call(`/Groups/${groupId}`, {
      method: 'PATCH',
      json: patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: members[0] }] }),
    });
    expect(res.status).toBe(204);
    const group = await read(await gw.call(`/Groups/${groupId}`));
    expect(group.body.members).toEqual([{ value: members[1] }, { value: members[2] }]);
    expect((await getUser(members[0]!)).groups).toBeUndefined();
  });

  it('remove members[value eq "id"] (aadOptscim062020)', async () => {
    await gw.call(`/Groups/${groupId}`, { method: 'PATCH', json: patchOp({ op: 'remove', path: `members[value eq "${members[1]}"]` }) });
    const group = await read(await gw.call(`/Groups/${groupId}`));
    expect(group.body.members).toEqual([{ value: members[2] }]);
  });

  it('adding a member that does not exist is 400 invalidValue and changes nothing', async () => {
    const res = await read(
      await gw.call(`/Groups/${groupId}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: 'members', value: [{ value: 'no-such-user' }] }) }),
    );
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect((await read(await gw.call(`/Groups/${groupId}`))).body.members).toEqual([{ value: members[2] }]);
  });

  it('Update Group [Non-member attributes]', async () => {
    const res = await gw.call(`/Groups/${groupId}`, {
      method: 'PATCH',
      json: patchOp({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }),
    });
    expect(res.status).toBe(204);
    expect((await getUser(members[2]!)).groups[0].display).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
  });

  it('deleting a member user removes it from the group and changes the group version', async () => {
    const before = await read(await gw.call(`/Groups/${groupId}`));
    expect((await gw.call(`/Users/${members[2]}`, { method: 'DELETE' })).status).toBe(204);
    const after = await read(await gw.call(`/Groups/${groupId}`));
    expect(after.body.members).toBeUndefined();
    expect(after.body.meta.version).not.toBe(before.body.meta.version);
  });

  it('Delete Group', async () => {
    expect((await gw.call(`/Groups/${groupId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await gw.call(`/Groups/${groupId}`)).status).toBe(404);
  });
});

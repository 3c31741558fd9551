/** Groups through the REST connector: 15Five's existing native groups (membership on each user), and BambooHR's gateway-only groups. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import type { JsonObject } from '../../../src/store/types.js';
import { GROUP, startRig, USER, writes, type Rig } from './support.js';

describe('15Five groups: existing groups adopted by name, membership written on each user', () => {
  let rig: Rig;
  const users: string[] = [];
  let eng: number;
  let sales: number;
  beforeAll(async () => {
    rig = await startRig('15five');
  });
  afterAll(() => rig.close());
  beforeEach(async () => {
    rig.emu.reset();
    rig.ids.memberships.clear();
    users.length = 0;
    eng = rig.emu.seedGroup({ name: 'Engineering' }).id as number;
    sales = rig.emu.seedGroup({ name: 'Sales' }).id as number;
    for (const n of [1, 2, 3]) {
      const email = `member${n}@example.com`;
      const { nativeId } = await rig.connector.create(
        'User',
        { schemas: [USER], userName: email, name: { givenName: `M${n}`, familyName: 'Member' }, emails: [{ type: 'work', value: email }] },
        rig.ids,
      );
      rig.ids.set('User', `scim-m${n}`, nativeId!);
      users.push(nativeId!);
    }
  });

  const group = (members: string[], more: JsonObject = {}): JsonObject => ({
    schemas: [GROUP],
    displayName: 'Engineering',
    members: members.map((value) => ({ value })),
    ...more,
  });
  const groupsOf = (n: number) => rig.emu.users().find((u) => String(u.id) === users[n - 1])!.company_groups_ids;
  /** Creates (adopts) the group as the resource service would: the connector, then the store's commit. */
  async function adopt(resource: JsonObject, scimId = 'scim-eng'): Promise<string> {
    const { nativeId } = await rig.connector.create('Group', resource, rig.ids);
    rig.ids.set('Group', scimId, nativeId!);
    rig.ids.commitMembers(scimId, (resource.members as JsonObject[] | undefined ?? []).map((m) => m.value as string));
    return nativeId!;
  }

  it('a group create adopts the 15Five group of that name and writes each member\'s whole list', async () => {
    const nativeId = await adopt(group(['scim-m1', 'scim-m2']));
    expect(nativeId).toBe(String(eng));
    expect(rig.emu.groups()).toHaveLength(2); // nothing created
    expect(groupsOf(1)).toEqual([eng]);
    expect(groupsOf(2)).toEqual([eng]);
    expect(groupsOf(3)).toEqual([]);
    expect(writes(rig.emu).slice(-2).map((r) => [r.method, r.path])).toEqual([
      ['PUT', `/api/public/user/${users[0]}/`],
      ['PUT', `/api/public/user/${users[1]}/`],
    ]);
  });

  it('a group 15Five does not have is refused, saying 15Five cannot create groups', async () => {
    const error = await rig.connector.create('Group', group([], { displayName: 'Marketing' }), rig.ids).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    expect((error as ScimError).message).toBe('15five cannot create groups through its API; create "Marketing" there first, and it is adopted by name');
    expect(rig.connector.limitations?.()).toEqual(['15five cannot create groups through its API: a group created here must exist there already (adopted by name)']);
  });

  it('a member change sends only the users who joined or left, each with its whole list (other groups kept)', async () => {
    const salesGroup = await adopt(group(['scim-m2'], { displayName: 'Sales' }), 'scim-sales');
    expect(salesGroup).toBe(String(sales));
    const before = group(['scim-m1', 'scim-m2']);
    const nativeId = await adopt(before);
    const mark = writes(rig.emu).length;
    const after = group(['scim-m2', 'scim-m3']);
    await rig.connector.update('Group', nativeId, { ...before, id: 'scim-eng' }, { ...after, id: 'scim-eng' }, rig.ids);
    rig.ids.commitMembers('scim-eng', ['scim-m2', 'scim-m3']);
    expect(writes(rig.emu).slice(mark).map((r) => [r.path, r.body])).toEqual([
      [`/api/public/user/${users[0]}/`, { company_groups_ids: [] }],
      [`/api/public/user/${users[2]}/`, { company_groups_ids: [eng] }],
    ]);
    expect(groupsOf(2)).toEqual([sales, eng]);
    expect(rig.connector.affects?.('Group', before, after)).toEqual({ type: 'User', ids: ['scim-m1', 'scim-m3'] });
  });

  it('a rename is refused: 15Five\'s API cannot rename a group', async () => {
    const before = group(['scim-m1']);
    const nativeId = await adopt(before);
    const error = await rig.connector.update('Group', nativeId, before, { ...before, displayName: 'Platform' }, rig.ids).catch((e: unknown) => e);
    expect((error as ScimError).status).toBe(400);
    expect((error as ScimError).scimType).toBe('mutability');
  });

  it('a group delete leaves the 15Five group and takes its members out of it', async () => {
    const resource = { ...group(['scim-m1', 'scim-m2']), id: 'scim-eng' };
    const nativeId = await adopt(resource);
    await rig.connector.delete('Group', nativeId, resource, rig.ids);
    expect(groupsOf(1)).toEqual([]);
    expect(groupsOf(2)).toEqual([]);
    expect(rig.emu.groups()).toHaveLength(2);
  });

  it('a deleted user is deactivated and leaves every native group in the same update (issue 12, point 6)', async () => {
    await adopt(group(['scim-m1']));
    const mark = writes(rig.emu).length;
    await rig.connector.delete('User', users[0]!, { schemas: [USER], id: 'scim-m1', userName: 'member1@example.com' }, rig.ids);
    expect(writes(rig.emu).slice(mark).map((r) => r.body)).toEqual([{ is_active: false, company_groups_ids: [] }]);
    expect(groupsOf(1)).toEqual([]);
  });
});

describe('BambooHR groups are gateway-only', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('bamboohr');
  });
  afterAll(() => rig.close());

  it('creates, updates and deletes groups without a native call', async () => {
    const resource = { schemas: [GROUP], displayName: 'Sales' };
    expect(await rig.connector.create('Group', resource, rig.ids)).toEqual({});
    await rig.connector.update('Group', 'x', resource, { ...resource, displayName: 'Sales EMEA' }, rig.ids);
    await rig.connector.delete('Group', 'x', resource, rig.ids);
    expect(rig.connector.canFind('Group', 'displayName')).toBe(false);
    expect(rig.emu.requests()).toEqual([]);
  });
});

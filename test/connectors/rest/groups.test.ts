/** Groups through the REST connector: 15Five's native groups, and BambooHR's gateway-only groups. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/store/types.js';
import { GROUP, startRig, USER, writes, type Rig } from './support.js';

describe('15Five groups', () => {
  let rig: Rig;
  const users: string[] = [];
  beforeAll(async () => {
    rig = await startRig('15five');
  });
  afterAll(() => rig.close());
  beforeEach(async () => {
    rig.emu.reset();
    users.length = 0;
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
    externalId: 'eng-1',
    members: members.map((value) => ({ value })),
    ...more,
  });

  it('creates a group with its members as native user ids', async () => {
    const { nativeId } = await rig.connector.create('Group', group(['scim-m1', 'scim-m2']), rig.ids);
    const native = rig.emu.groups().find((g) => String(g.id) === nativeId)!;
    expect(native).toMatchObject({ name: 'Engineering', external_id: 'eng-1', user_ids: [Number(users[0]), Number(users[1])] });
  });

  it('sends the new member list when members change, and only the name when the name changes', async () => {
    const before = group(['scim-m1', 'scim-m2']);
    const { nativeId } = await rig.connector.create('Group', before, rig.ids);
    const mark = writes(rig.emu).length;
    const after = group(['scim-m2', 'scim-m3']);
    await rig.connector.update('Group', nativeId!, before, after, rig.ids);
    await rig.connector.update('Group', nativeId!, after, { ...after, displayName: 'Platform' }, rig.ids);
    expect(writes(rig.emu).slice(mark).map((r) => [r.method, r.body])).toEqual([
      ['PATCH', { user_ids: [Number(users[1]), Number(users[2])] }],
      ['PATCH', { name: 'Platform' }],
    ]);
    expect(rig.emu.groups()[0]).toMatchObject({ name: 'Platform', user_ids: [Number(users[1]), Number(users[2])] });
  });

  it('removing every member sends an empty list (the plugin\'s clear value), not null', async () => {
    const before = group(['scim-m1']);
    const { nativeId } = await rig.connector.create('Group', before, rig.ids);
    const after = group([]);
    delete after.members;
    const mark = writes(rig.emu).length;
    await rig.connector.update('Group', nativeId!, before, after, rig.ids);
    expect(writes(rig.emu).slice(mark).map((r) => r.body)).toEqual([{ user_ids: [] }]);
    expect(rig.emu.groups()[0]).toMatchObject({ user_ids: [] });
  });

  it('deletes the native group', async () => {
    const resource = group(['scim-m1']);
    const { nativeId } = await rig.connector.create('Group', resource, rig.ids);
    await rig.connector.delete('Group', nativeId!, resource, rig.ids);
    expect(rig.emu.groups()).toEqual([]);
    expect(rig.emu.requests().at(-1)).toMatchObject({ method: 'DELETE', path: `/api/public/group/${nativeId}/`, status: 204 });
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

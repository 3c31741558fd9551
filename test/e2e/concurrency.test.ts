/**
 * Parallel Entra requests: creates of one userName at once reach the downstream API once (BambooHR keeps
 * no uniqueness of its own, so a second create there would be a second employee); group changes that
 * write the same users' whole group lists (15Five) never lose one another's memberships.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, patchOp, read, USER_SCHEMA } from '../support/gateway.js';
import { startRig, type Rig } from './support.js';

describe('parallel creates of one userName (bamboohr)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('bamboohr', { faults: { latencyMs: 20 } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('make one native employee: one 201, the others 409 uniqueness', async () => {
    const body = (i: number) => ({
      schemas: [USER_SCHEMA],
      userName: i % 2 === 0 ? 'twin@acme.example' : 'TWIN@acme.example',
      name: { givenName: 'Twin', familyName: `No${i}` },
      emails: [{ value: 'twin@acme.example', type: 'work', primary: true }],
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => read(await rig.gw.call('/Users', { method: 'POST', json: body(i) }))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.scimType === 'uniqueness')).toBe(true);
    expect(rig.emu.users()).toHaveLength(1);
    expect(rig.emu.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/employees'))).toHaveLength(1);
  });
});

describe('parallel member changes of several groups, membership kept on each user (15five)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('15five', { faults: { latencyMs: 15 } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('each user ends in every group it was added to: the users are claimed while their lists are written', async () => {
    const names = ['Engineering', 'Sales', 'Support', 'Berlin'];
    const native = names.map((name) => rig.emu.seedGroup({ name }).id);
    const users: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await read(
        await rig.gw.call('/Users', {
          method: 'POST',
          json: { schemas: [USER_SCHEMA], userName: `m${n}@acme.example`, name: { givenName: `M${n}`, familyName: 'Ember' }, emails: [{ value: `m${n}@acme.example`, type: 'work' }] },
        }),
      );
      users.push(res.body.id);
    }
    const groups: string[] = [];
    for (const displayName of names) groups.push((await read(await rig.gw.call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName } }))).body.id);
    // Every group gets every user at once, one PATCH per (group, user), all in parallel.
    const results = await Promise.all(
      groups.flatMap((gid) => users.map((uid) => rig.gw.call(`/Groups/${gid}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: 'members', value: [{ value: uid }] }) }))),
    );
    // A write that waited too long for a claim asks Entra to retry (503); retry those, as Entra does.
    for (const [i, res] of results.entries()) {
      if (res.status === 204) continue;
      expect(res.status).toBe(503);
      const gid = groups[Math.floor(i / users.length)]!;
      const uid = users[i % users.length]!;
      expect((await rig.gw.call(`/Groups/${gid}`, { method: 'PATCH', json: patchOp({ op: 'Add', path: 'members', value: [{ value: uid }] }) })).status).toBe(204);
    }
    for (const user of rig.emu.users()) expect([...(user.company_groups_ids as number[])].sort()).toEqual([...native].sort());
  });
});
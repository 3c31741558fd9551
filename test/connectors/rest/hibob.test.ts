/** What only the HiBob-style plugin does: termination by endpoint, dated by the clock, and rehiring on adoption. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/store/types.js';
import { startRig, USER, type Rig } from './support.js';

const person = (n: number): JsonObject => ({
  schemas: [USER],
  userName: `p${n}@example.com`,
  name: { givenName: `P${n}`, familyName: 'Person' },
  emails: [{ type: 'work', value: `p${n}@example.com` }],
  active: true,
});

describe('HiBob plugin', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('hibob');
  });
  afterAll(() => rig.close());
  beforeEach(() => rig.emu.reset());

  it('terminates through its endpoint, dated today by the injected clock, and rehires through revoke-termination', async () => {
    const resource = person(1);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    await rig.connector.update('User', nativeId!, resource, { ...resource, active: false }, rig.ids);
    const terminate = rig.emu.requests().find((r) => r.path.endsWith('/terminate'))!;
    expect(terminate).toMatchObject({
      method: 'POST',
      path: `/v1/employees/${nativeId}/terminate`,
      body: { terminationDate: '2025-06-30', reason: 'Deprovisioned by Microsoft Entra ID' },
      status: 200,
    });
    expect(rig.emu.users()[0]).toMatchObject({ state: 'terminated', terminationDate: '2025-06-30' });
    await rig.connector.update('User', nativeId!, { ...resource, active: false }, resource, rig.ids);
    expect(rig.emu.users()[0]).toMatchObject({ state: 'employed', terminationDate: null });
  });

  it('a deactivation repeated after a lost answer succeeds (the plugin ignores "already terminated")', async () => {
    const resource = person(2);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    await rig.connector.update('User', nativeId!, resource, { ...resource, active: false }, rig.ids);
    await expect(rig.connector.update('User', nativeId!, resource, { ...resource, active: false }, rig.ids)).resolves.toBeUndefined();
    expect(rig.emu.requests().filter((r) => r.path.endsWith('/terminate')).map((r) => r.status)).toEqual([200, 400]);
  });

  it('creating someone who left adopts and rehires them, creating nobody', async () => {
    const seeded = rig.emu.seedUser({ email: 'p3@example.com', firstName: 'Old', surname: 'Person', state: 'terminated', terminationDate: '2024-01-31' });
    const { nativeId } = await rig.connector.create('User', person(3), rig.ids);
    expect(nativeId).toBe(seeded.id);
    expect(rig.emu.users()).toHaveLength(1);
    expect(rig.emu.users()[0]).toMatchObject({ state: 'employed', firstName: 'P3' });
  });

  it('a hostile native id stays inside one path segment', async () => {
    const resource = person(4);
    await rig.connector.update('User', '../../v1/people', resource, { ...resource, title: 'x' }, rig.ids).catch(() => undefined);
    expect(rig.emu.requests().at(-1)).toMatchObject({ method: 'PUT', path: '/v1/people/..%2F..%2Fv1%2Fpeople', status: 404 });
  });
});

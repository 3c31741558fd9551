/**
 * Parallel Entra requests: creates of one userName at once reach the downstream API once (BambooHR keeps
 * no uniqueness of its own, so a second create there would be a second employee).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read, USER_SCHEMA } from '../support/gateway.js';
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

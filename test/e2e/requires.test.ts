/**
 * Discovery tells the truth per app: each bundled plugin declares the SCIM attributes its native API
 * requires (`users.requires`), the app's /Schemas marks them `required: true`, and a create or replace
 * that lacks one is refused with 400 invalidValue naming it — before any native call is made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_KINDS } from '../emulators/index.js';
import { read, startGateway, USER_SCHEMA } from '../support/gateway.js';
import { startRig, type Rig } from './support.js';

type Attribute = { name: string; required: boolean; subAttributes?: Attribute[] };

async function userAttributes(call: (path: string) => Promise<Response>): Promise<Attribute[]> {
  const res = await read(await call(`/Schemas/${USER_SCHEMA}`));
  expect(res.status).toBe(200);
  return res.body.attributes as Attribute[];
}
const find = (list: Attribute[] | undefined, name: string) => list?.find((a) => a.name === name);

describe.each(EMULATOR_KINDS)('%s', (kind) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(kind);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('/Schemas marks name.givenName and name.familyName required', async () => {
    const name = find(await userAttributes((p) => rig.gw.call(p)), 'name');
    expect(name?.required).toBe(true);
    expect(find(name?.subAttributes, 'givenName')?.required).toBe(true);
    expect(find(name?.subAttributes, 'familyName')?.required).toBe(true);
    expect(find(name?.subAttributes, 'middleName')?.required).toBe(false);
  });

  it('a POST or PUT lacking them is 400 invalidValue naming the attribute, and the native API is not called', async () => {
    const { gw, emu } = rig;
    const before = emu.requests().length;
    const onlyUserName = await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: `bare-${kind}@acme.example` } }));
    expect(onlyUserName.status).toBe(400);
    expect(onlyUserName.body.scimType).toBe('invalidValue');
    expect(onlyUserName.body.detail).toBe('Attribute name.familyName is required and must not be empty');
    const noGiven = await read(
      await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: `half-${kind}@acme.example`, name: { familyName: 'Lovelace' } } }),
    );
    expect([noGiven.status, noGiven.body.detail]).toEqual([400, 'Attribute name.givenName is required and must not be empty']);
    expect(emu.requests().length).toBe(before);

    const full = { schemas: [USER_SCHEMA], userName: `whole-${kind}@acme.example`, name: { givenName: 'Ada', familyName: 'Lovelace' } };
    const created = await read(await gw.call('/Users', { method: 'POST', json: full }));
    expect(created.status).toBe(201);
    const afterCreate = emu.requests().length;
    const put = await read(await gw.call(`/Users/${created.body.id}`, { method: 'PUT', json: { ...full, name: { givenName: 'Ada' } } }));
    expect([put.status, put.body.scimType, put.body.detail]).toEqual([400, 'invalidValue', 'Attribute name.familyName is required and must not be empty']);
    expect(emu.requests().length).toBe(afterCreate);
  });
});

describe('an app without a plugin keeps RFC 7643 requirements', () => {
  it('the directory app requires userName only', async () => {
    const gw = await startGateway();
    try {
      const attributes = await userAttributes((p) => gw.call(p));
      expect(attributes.filter((a) => a.required).map((a) => a.name)).toEqual(['userName']);
      const res = await read(await gw.call('/Users', { method: 'POST', json: { schemas: [USER_SCHEMA], userName: 'bare@example.com' } }));
      expect(res.status).toBe(201);
    } finally {
      await gw.close();
    }
  });
});

/**
 * What only the 15five plugin does (issue 11, traits 7 and 9): users created by a bulk upsert — a list of
 * one, the new id read from the item or found by a search afterwards — and a start date sent as a timestamp
 * by the update that follows the create, read back as MM/DD/YYYY.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromNativeResponse } from '../../../src/connectors/rest/errors.js';
import { loadPlugin } from '../../../src/plugins/index.js';
import type { JsonObject } from '../../../src/store/types.js';
import { editedPlugins } from '../../e2e/support.js';
import { bundledPlugin, FIFTEEN_FIVE, startRig, USER, type Rig } from './support.js';

const user = (n: number, more: JsonObject = {}): JsonObject => ({
  schemas: [USER, FIFTEEN_FIVE],
  userName: `u${n}@example.com`,
  name: { givenName: `U${n}`, familyName: 'User' },
  emails: [{ type: 'work', value: `u${n}@example.com` }],
  [FIFTEEN_FIVE]: { startDate: '2026-03-01T00:00:00Z' },
  ...more,
});

describe('15five plugin: bulk upsert creates', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('15five');
  });
  afterAll(() => rig.close());
  beforeEach(() => rig.emu.reset());
  const calls = () => rig.emu.requests().map((r) => `${r.method} ${r.path}`);

  it('search, the bulk create of a list of one (the id read from the item), then the update with the start date as a timestamp', async () => {
    const { nativeId } = await rig.connector.create('User', user(1), rig.ids);
    expect(calls()).toEqual(['GET /api/public/user/', 'POST /api/public/user/bulk/', `PUT /api/public/user/${nativeId}/`]);
    const [, bulk, put] = rig.emu.requests();
    expect(bulk!.body).toEqual([{ email: 'u1@example.com', first_name: 'U1', last_name: 'User', is_active: true }]);
    expect(put!.body).toEqual({ start_date_ts: '1772323200' });
    // The same day, read back in the other form.
    expect(rig.emu.users()[0]).toMatchObject({ id: Number(nativeId), start_date: '03/01/2026' });
    const found = await rig.connector.find('User', { path: 'userName', value: 'u1@example.com' }, rig.ids);
    expect((found!.resource[FIFTEEN_FIVE] as JsonObject).startDate).toBe('2026-03-01');
  });

  it('is an upsert: the request is marked safe to repeat', () => {
    expect(bundledPlugin('15five').users.operations.create).toMatchObject({ upsert: true, id: { body: '0.id', search: true } });
  });

  it('a 200 whose item carries errors is a failure, not a created user (a 2xx rule)', () => {
    const rules = bundledPlugin('15five').errors;
    const res = (body: unknown) => ({ status: 200, headers: {}, body, durationMs: 0 });
    const error = fromNativeResponse(res([{ errors: { email: ['Enter a valid email address.'] } }]), 'users.create', rules, 'User');
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue', message: '15Five refused the user in its bulk answer' });
    expect(fromNativeResponse(res([{ id: 4, email: 'a@b.c' }]), 'users.create', rules, 'User')).toBeUndefined();
    expect(fromNativeResponse(res([{ errors: {} }]), 'users.create', rules, 'User')).toBeUndefined();
  });
});

describe('15five plugin: the new id found by a search when the bulk answer does not carry it', () => {
  let rig: Rig;
  let dir: string;
  beforeAll(async () => {
    // As if 15Five answered its bulk endpoint without the users (the shape of that answer is a guess).
    dir = editedPlugins('15five', [["id: { body: '0.id', search: true }", "id: { body: '0.user.id', search: true }"]]);
    const { plugin, problems } = loadPlugin(dir, '15five');
    expect(problems).toEqual([]);
    rig = await startRig('15five', { plugin: plugin! });
  });
  afterAll(async () => {
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('searches by email after the create and takes that id', async () => {
    const { nativeId } = await rig.connector.create('User', user(2), rig.ids);
    expect(rig.emu.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/public/user/',
      'POST /api/public/user/bulk/',
      'GET /api/public/user/',
      `PUT /api/public/user/${nativeId}/`,
    ]);
    expect(nativeId).toBe(String(rig.emu.users()[0]!.id));
  });
});

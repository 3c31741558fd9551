/**
 * The 15Five SCIM emulator keeps to what 15Five documents (dates MM/DD/YYYY only) and to strict RFC 7644
 * where the docs are silent (its guesses): what it refuses is what the gateway must never send it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';
import { FIFTEEN_FIVE_EXTENSION } from './fifteen-five-scim.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('15Five SCIM emulator', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator('15five-scim');
  });
  afterAll(async () => {
    await emu?.close();
  });
  const send = async (method: string, path: string, body?: unknown, token = emu.credentials.token) => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  it('refuses a wrong token with a SCIM 401', async () => {
    const res = await send('GET', '/Users', undefined, 'wrong');
    expect([res.status, res.body.schemas]).toEqual([401, ['urn:ietf:params:scim:api:messages:2.0:Error']]);
  });

  it.each(['2026-03-01', '2026-03-01T00:00:00Z', '20260301000000.0Z', '3/1/2026', '13/01/2026'])('refuses the date %s (MM/DD/YYYY only)', async (date) => {
    const res = await send('POST', '/Users', { schemas: [USER, FIFTEEN_FIVE_EXTENSION], userName: `d${date}@x`, [FIFTEEN_FIVE_EXTENSION]: { startDate: date } });
    expect([res.status, res.body.scimType]).toEqual([400, 'invalidValue']);
  });

  it('takes MM/DD/YYYY, answers its own location, refuses a second userName and Entra quirks', async () => {
    const res = await send('POST', '/Users', { schemas: [USER, FIFTEEN_FIVE_EXTENSION], userName: 'a@x', [FIFTEEN_FIVE_EXTENSION]: { hireDate: '03/01/2026', location: 'Berlin' } });
    expect(res.status).toBe(201);
    expect(res.body.meta.location).toBe(`${emu.url}/Users/${res.body.id}`);
    expect((await send('POST', '/Users', { schemas: [USER], userName: 'A@X' })).body.scimType).toBe('uniqueness');
    const capitalised = await send('PATCH', `/Users/${res.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: false }] });
    expect(capitalised.status).toBe(400);
    const stringBoolean = await send('PATCH', `/Users/${res.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'False' }] });
    expect(stringBoolean.status).toBe(400);
    const off = await send('PATCH', `/Users/${res.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect([off.status, off.body.active]).toEqual([200, false]);
  });

  it('groups keep members that are its users; member removal by filter', async () => {
    const u = await send('POST', '/Users', { schemas: [USER], userName: 'm@x' });
    expect((await send('POST', '/Groups', { displayName: 'G0', members: [{ value: 'nobody' }] })).status).toBe(400);
    const g = await send('POST', '/Groups', { displayName: 'G1', members: [{ value: u.body.id }] });
    expect(g.status).toBe(201);
    const removed = await send('PATCH', `/Groups/${g.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${u.body.id}"]` }] });
    expect(removed.body.members).toEqual([]);
    const found = await send('GET', `/Groups?filter=${encodeURIComponent('displayName eq "g1"')}`);
    expect(found.body.totalResults).toBe(1);
    expect((await send('GET', `/Users?filter=${encodeURIComponent('userName sw "m"')}`)).body.scimType).toBe('invalidFilter');
  });
});

/**
 * The write path through real HTTP (Entra → gateway → BambooHR emulator): every write claims what it
 * takes in the store before the native call, commits with the claim, or releases it. Pinned here: a
 * native failure releases the claim, a crashed holder's claim lapses with its lease, and concurrent
 * updates of one resource are applied one at a time, each once, leaving the native record equal to the
 * gateway's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { patchOp, read, USER_SCHEMA } from '../support/gateway.js';
import { startRig, type Rig } from './support.js';

const user = (userName: string) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: userName, type: 'work', primary: true }],
});

describe('the write path (bamboohr)', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('bamboohr');
  });
  afterAll(async () => {
    await rig?.close();
  });
  beforeEach(() => rig.emu.setFaults({}));

  it('a create the native API refuses releases its claim: the retry creates the one native employee', async () => {
    rig.emu.setFaults({ failNext: { count: 50, with: '503' } });
    const refused = await read(await rig.gw.call('/Users', { method: 'POST', json: user('retry@acme.example') }));
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(rig.emu.users().filter((u) => u.workEmail === 'retry@acme.example')).toHaveLength(0);
    rig.emu.setFaults({});
    const created = await read(await rig.gw.call('/Users', { method: 'POST', json: user('retry@acme.example') }));
    expect(created.status).toBe(201);
    expect(rig.emu.users().filter((u) => u.workEmail === 'retry@acme.example')).toHaveLength(1);
  });

  it('a claim whose holder died blocks the userName until its lease lapses; then the create goes through', async () => {
    const store = rig.gw.gateway.store;
    // What a replica killed between its claim and its commit leaves behind.
    await store.reserve('bamboohr', 'User', { purpose: 'create', data: { userName: 'ghost@acme.example' }, leaseMs: 300 });
    const blocked = await read(await rig.gw.call('/Users', { method: 'POST', json: user('Ghost@acme.example') }));
    expect(blocked.status).toBe(409);
    expect(blocked.body.scimType).toBe('uniqueness');
    expect(rig.emu.users().filter((u) => u.workEmail === 'Ghost@acme.example')).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 500));
    const created = await read(await rig.gw.call('/Users', { method: 'POST', json: user('Ghost@acme.example') }));
    expect(created.status).toBe(201);
  });

  it('concurrent PATCHes of one user are applied one at a time, each once, and the native record ends equal', async () => {
    const created = await read(await rig.gw.call('/Users', { method: 'POST', json: user('busy@acme.example') }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    rig.emu.setFaults({ latencyMs: 15 });
    const titles = Array.from({ length: 8 }, (_, i) => `Title ${i}`);
    const answers = await Promise.all(
      titles.map(async (title) => read(await rig.gw.call(`/Users/${id}`, { method: 'PATCH', json: patchOp({ op: 'replace', path: 'title', value: title }) }))),
    );
    expect(answers.map((a) => a.status)).toEqual(titles.map(() => 200));
    // Each answer saw its own write on top of the ones before it: versions 2..9, once each.
    const versions = answers.map((a) => Number(/(\d+)/.exec(a.body.meta.version as string)?.[1])).sort((a, b) => a - b);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const final = await read(await rig.gw.call(`/Users/${id}`));
    const native = rig.emu.users().find((u) => u.workEmail === 'busy@acme.example');
    expect(titles).toContain(final.body.title);
    expect(native?.jobTitle).toBe(final.body.title);
    const sent = rig.emu.requests().filter((r) => r.method === 'POST' && /\/employees\/\d+$/.test(r.path));
    expect(sent.length).toBeGreaterThanOrEqual(8);
  });
});

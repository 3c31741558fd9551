/**
 * Reconcile against the 15Five emulator, on SQLite and on PostgreSQL: users provisioned the way Entra does,
 * then drift made natively (someone editing in 15Five), native users the gateway never saw (one adoptable,
 * two sharing an email, one without an email), a gateway user whose native record is gone. Every
 * difference is reported; --adopt links; --repair fixes the drift (the emulator shows it); a run beside
 * Entra's writes corrupts nothing; the admin router starts runs and shows their progress.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { read } from '../support/gateway.js';
import type { ReconcileEntry } from '../../src/reconcile/types.js';
import { APP, scimUser, startReconcileRig, USER, type ReconcileRig, type StoreKind } from './support.js';

const byUser = (entries: ReconcileEntry[]) => new Map(entries.map((e) => [e.userName ?? `native ${e.nativeId}`, e]));

describe.each<StoreKind>(['sqlite', 'postgres'])('reconcile a 15Five app (%s)', (kind) => {
  let rig: ReconcileRig;
  const ids: Record<string, { id: string; nativeId: string }> = {};
  let seeded: Record<string, string>;

  beforeAll(async () => {
    rig = await startReconcileRig(kind);
    for (const name of ['ada', 'bob', 'cy']) ids[name] = await rig.provision(name);
    // Drift: bob's title and first name changed in 15Five.
    await rig.editNative(ids.bob!.nativeId, { title: 'Head of Sales', first_name: 'Robert' });
    // Native users the gateway never saw.
    const dora = rig.emu.seedUser({ email: 'dora@acme.example', first_name: 'Dora', last_name: 'Native', title: 'Analyst' });
    const twin1 = rig.emu.seedUser({ email: 'twin@acme.example', first_name: 'Tw', last_name: 'One' });
    const twin2 = rig.emu.seedUser({ email: 'TWIN@acme.example', first_name: 'Tw', last_name: 'Two' });
    const nameless = rig.emu.seedUser({ email: null, first_name: 'No', last_name: 'Email' });
    seeded = { dora: String(dora.id), twin1: String(twin1.id), twin2: String(twin2.id), nameless: String(nameless.id) };
    // A gateway user whose 15Five record is gone (15Five's API deletes nobody; an administrator did, in the app).
    const gone = await rig.gw.gateway.store.create(APP, 'User', { data: scimUser('gone'), nativeId: '999' });
    ids.gone = { id: gone.id, nativeId: '999' };
  });
  afterAll(() => rig?.close());

  it('--dry-run reports every user: equal, differing fields (native vs gateway), native only (adoptable or why not), gateway only', async () => {
    const before = rig.emu.users();
    const status = await rig.reconcile('dry-run');
    expect(status).toMatchObject({ app: APP, mode: 'dry-run', state: 'done', progress: { seen: 7, total: 7 } });
    expect(status.counts).toEqual({ equal: 2, differs: 1, nativeOnly: 4, gatewayOnly: 1 });
    const entries = byUser(status.entries);
    expect(entries.get('ada@acme.example')).toEqual({ kind: 'equal', userName: 'ada@acme.example', id: ids.ada!.id, nativeId: ids.ada!.nativeId });
    expect(entries.get('bob@acme.example')).toEqual({
      kind: 'differs',
      userName: 'bob@acme.example',
      id: ids.bob!.id,
      nativeId: ids.bob!.nativeId,
      fields: [
        { path: 'first_name', native: 'Robert', gateway: 'Bob' },
        { path: 'title', native: 'Head of Sales', gateway: 'Engineer' },
      ],
    });
    expect(entries.get('dora@acme.example')).toMatchObject({ kind: 'native-only', nativeId: seeded.dora, adoptable: true });
    for (const twin of ['twin@acme.example', 'TWIN@acme.example']) {
      expect(entries.get(twin)).toMatchObject({ kind: 'native-only', adoptable: false, reason: expect.stringContaining('2 native users share') });
    }
    expect(entries.get(`native ${seeded.nameless}`)).toMatchObject({ kind: 'native-only', adoptable: false, reason: expect.stringContaining('no value') });
    expect(entries.get('gone@acme.example')).toMatchObject({ kind: 'gateway-only', id: ids.gone!.id, nativeId: '999', reason: expect.stringContaining('404') });
    // A dry run writes nothing, natively or in the gateway.
    expect(rig.emu.users()).toEqual(before);
    expect(rig.emu.requests().filter((r) => r.method !== 'GET')).toHaveLength(3 + 1); // the 3 provisions' bulk creates and bob's edit
    expect(await rig.gw.gateway.store.findByNativeId(APP, 'User', seeded.dora!)).toBeNull();
  });

  it('--adopt links the adoptable native-only user (Entra then finds it) and leaves the others', async () => {
    const status = await rig.reconcile('adopt');
    expect(status.state).toBe('done');
    const dora = byUser(status.entries).get('dora@acme.example')!;
    expect(dora).toMatchObject({ kind: 'native-only', action: 'adopted', id: expect.any(String) });
    const linked = await rig.gw.gateway.store.findByNativeId(APP, 'User', seeded.dora!);
    expect(linked?.id).toBe(dora.id);
    const found = await read(await rig.gw.call(`/Users?filter=${encodeURIComponent('userName eq "dora@acme.example"')}`));
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: dora.id, name: { givenName: 'Dora', familyName: 'Native' }, title: 'Analyst' }] });
    for (const nativeId of [seeded.twin1, seeded.twin2, seeded.nameless]) {
      expect(await rig.gw.gateway.store.findByNativeId(APP, 'User', nativeId!)).toBeNull();
    }
    // Nothing was written natively: adoption links, it does not push.
    expect(rig.emu.users().find((u) => String(u.id) === seeded.dora)).toMatchObject({ first_name: 'Dora', title: 'Analyst' });
  });

  it('--repair sends the gateway values to the drifted native user; a new dry run finds it equal', async () => {
    const status = await rig.reconcile('repair');
    expect(byUser(status.entries).get('bob@acme.example')).toMatchObject({ kind: 'differs', action: 'repaired' });
    expect(rig.emu.users().find((u) => String(u.id) === ids.bob!.nativeId)).toMatchObject({ first_name: 'Bob', title: 'Engineer' });
    const audit = await rig.gw.gateway.store.readAudit(APP, 50);
    expect(audit.find((a) => a.action === 'reconcile repair')).toMatchObject({ resourceId: ids.bob!.id, status: 200 });
    // The repair's native calls run in the reconcile's request scope: their rows name its request id and the user.
    const repairRow = audit.find((a) => a.action === 'reconcile repair')!;
    expect(repairRow.requestId).toMatch(/^reconcile-/);
    const nativeRows = audit.filter((a) => a.action.startsWith('native ') && a.requestId === repairRow.requestId);
    expect(nativeRows.filter((a) => a.resourceId === ids.bob!.id && a.nativeId === ids.bob!.nativeId).length).toBeGreaterThan(0);

    const again = await rig.reconcile('dry-run');
    expect(again.counts).toEqual({ equal: 4, differs: 0, nativeOnly: 3, gatewayOnly: 1 });
    expect(byUser(again.entries).get('bob@acme.example')?.kind).toBe('equal');
    expect(byUser(again.entries).get('dora@acme.example')?.kind).toBe('equal');
  });

  it('runs beside Entra writes without corrupting anything: every write lands once, natively and in the gateway', async () => {
    await rig.editNative(ids.cy!.nativeId, { title: 'Drifted' });
    const running = rig.reconcile('repair');
    const writes = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => rig.gw.call('/Users', { method: 'POST', json: scimUser(`busy${i}`) })),
      rig.gw.call(`/Users/${ids.ada!.id}`, {
        method: 'PATCH',
        json: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Principal' }] },
      }),
    ]);
    const status = await running;
    expect(status.state).toBe('done');
    expect(writes.map((w) => w.status)).toEqual([...Array(8).fill(201), 200]);
    // One native user per email, every gateway user linked to its own native user.
    const emails = rig.emu.users().map((u) => String(u.email).toLowerCase());
    expect(new Set(emails).size).toBe(emails.length - 1); // the twins share one on purpose
    const final = await rig.reconcile('dry-run');
    expect(final.state).toBe('done');
    expect(final.counts).toEqual({ equal: 4 + 8, differs: 0, nativeOnly: 3, gatewayOnly: 1 });
    expect(rig.emu.users().find((u) => String(u.id) === ids.ada!.nativeId)).toMatchObject({ title: 'Principal' });
    expect(rig.emu.users().find((u) => String(u.id) === ids.cy!.nativeId)).toMatchObject({ title: 'Engineer' });
    const scim = await read(await rig.gw.call(`/Users?count=100`));
    expect(scim.body.totalResults).toBe(4 + 8 + 1);
  });

  it('the admin router starts a run (202) and shows its status; refuses an unknown app or mode', async () => {
    const started = await fetch(`${rig.admin}/admin/reconcile/${APP}?mode=dry-run`, { method: 'POST' });
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ app: APP, mode: 'dry-run' });
    let body: { state: string; counts: object; progress: { seen: number } };
    do {
      body = await (await fetch(`${rig.admin}/admin/reconcile/${APP}`)).json();
    } while (body.state === 'running');
    expect(body).toMatchObject({ state: 'done', progress: { seen: 4 + 8 + 3 }, counts: { equal: 12, differs: 0, nativeOnly: 3, gatewayOnly: 1 } });
    const viaGet = await fetch(`${rig.admin}/admin/reconcile/${APP}?start=dry-run`);
    expect(viaGet.status).toBe(202);
    await rig.reconcile('dry-run');
    // What writes is started by POST only, and never by another site's page in a browser on this host.
    expect((await fetch(`${rig.admin}/admin/reconcile/${APP}?start=repair`)).status).toBe(405);
    const forged = await fetch(`${rig.admin}/admin/reconcile/${APP}?mode=repair`, { method: 'POST', headers: { Origin: 'http://evil.example' } });
    expect(forged.status).toBe(403);
    const fetchMetadata = await fetch(`${rig.admin}/admin/reconcile/${APP}?mode=repair`, { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(fetchMetadata.status).toBe(403);
    expect((await fetch(`${rig.admin}/admin/reconcile/nope`)).status).toBe(404);
    const badMode = await fetch(`${rig.admin}/admin/reconcile/${APP}?mode=everything`, { method: 'POST' });
    expect(badMode.status).toBe(400);
    expect(await badMode.json()).toEqual({ error: 'mode must be one of dry-run, adopt, repair' });
  });
});

describe('an app that cannot be reconciled', () => {
  it('a store app lists no native users: refused, saying why', async () => {
    const { startGateway } = await import('../support/gateway.js');
    const gw = await startGateway();
    try {
      expect(() => gw.gateway.reconcile.start('directory', 'dry-run')).toThrow(/cannot be reconciled: its connector lists no native users/);
      void USER;
    } finally {
      await gw.close();
    }
  });
});

/**
 * The same Entra-shaped sequence against every bundled plugin, through the gateway over HTTP, asserting on
 * the emulator's native records: create, manager, extensions, filter, PATCH in Entra's forms, disable,
 * enable, groups and members, delete — and adoption of a native user that already exists. Where the API
 * keeps membership on each user (15Five), a deleted user must leave its native groups too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorKind } from '../emulators/index.js';
import { ENTERPRISE, GROUP_SCHEMA, patchOp, read, USER_SCHEMA } from '../support/gateway.js';
import { startRig, type Rig } from './support.js';

type Native = Record<string, unknown>;

interface PluginCase {
  kind: EmulatorKind;
  /** The plugin's custom extension and the attribute that carries a start date. */
  extension: string;
  startDate: string;
  /** Native record accessors. */
  email: (n: Native) => unknown;
  firstName: (n: Native) => unknown;
  familyName: (n: Native) => unknown;
  title: (n: Native) => unknown;
  employeeNumber?: (n: Native) => unknown;
  manager: (n: Native) => unknown;
  start: (n: Native) => unknown;
  /** What the native record says when the user is active / inactive. */
  active: (n: Native) => boolean;
  nativeId: (n: Native) => string;
  /** The native start date for 2026-03-01 sent as an ISO dateTime. */
  nativeStart: string;
  /**
   * Where groups live: the gateway only, existing native groups with membership on each user (the user's
   * group ids), or native groups with members (a SCIM app).
   */
  groups: { kind: 'gateway' } | { kind: 'on-user'; memberOf: (n: Native) => unknown[] } | { kind: 'native'; members: (g: Native) => unknown[] };
  /** Seeds a native user for adoption. */
  seed: { email: string; fields: Native };
}

const cases: PluginCase[] = [
  {
    kind: '15five',
    extension: 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User',
    startDate: 'startDate',
    email: (n) => n.email,
    firstName: (n) => n.first_name,
    familyName: (n) => n.last_name,
    title: (n) => n.title,
    employeeNumber: (n) => n.employee_id,
    manager: (n) => n.reviewer_id,
    start: (n) => n.start_date,
    active: (n) => n.is_active === true,
    nativeId: (n) => String(n.id),
    nativeStart: '03/01/2026',
    groups: { kind: 'on-user', memberOf: (n) => n.company_groups_ids as unknown[] },
    seed: { email: 'existing@acme.example', fields: { email: 'existing@acme.example', first_name: 'Exi', last_name: 'Sting', is_active: true } },
  },
  {
    kind: 'bamboohr',
    extension: 'urn:ietf:params:scim:schemas:extension:bamboohr:2.0:User',
    startDate: 'hireDate',
    email: (n) => n.workEmail,
    firstName: (n) => n.firstName,
    familyName: (n) => n.lastName,
    title: (n) => n.jobTitle,
    employeeNumber: (n) => n.employeeNumber,
    manager: (n) => n.supervisorEId,
    start: (n) => n.hireDate,
    active: (n) => n.status === 'Active',
    nativeId: (n) => String(n.id),
    nativeStart: '2026-03-01',
    groups: { kind: 'gateway' },
    seed: { email: 'existing@acme.example', fields: { workEmail: 'existing@acme.example', firstName: 'Exi', lastName: 'Sting', status: 'Active' } },
  },
  {
    kind: 'hibob',
    extension: 'urn:ietf:params:scim:schemas:extension:hibob:2.0:User',
    startDate: 'startDate',
    email: (n) => n.email,
    firstName: (n) => n.firstName,
    familyName: (n) => n.surname,
    title: (n) => (n.work as Native | undefined)?.title,
    manager: (n) => ((n.work as Native | undefined)?.reportsTo as Native | undefined)?.id,
    start: (n) => (n.work as Native | undefined)?.startDate,
    active: (n) => n.state !== 'terminated',
    nativeId: (n) => String(n.id),
    nativeStart: '2026-03-01',
    groups: { kind: 'gateway' },
    seed: { email: 'existing@acme.example', fields: { email: 'existing@acme.example', firstName: 'Exi', surname: 'Sting' } },
  },
  {
    // Personio: a token endpoint of its own, writes nested under "employee", reads with every attribute wrapped.
    kind: 'personio',
    extension: 'urn:ietf:params:scim:schemas:extension:personio:2.0:User',
    startDate: 'hireDate',
    email: (n) => n.email,
    firstName: (n) => n.first_name,
    familyName: (n) => n.last_name,
    title: (n) => n.position,
    manager: (n) => n.supervisor_id,
    start: (n) => n.hire_date,
    active: (n) => n.status !== 'inactive',
    nativeId: (n) => String(n.id),
    nativeStart: '2026-03-01',
    groups: { kind: 'gateway' },
    seed: { email: 'existing@acme.example', fields: { email: 'existing@acme.example', first_name: 'Exi', last_name: 'Sting', status: 'leave' } },
  },
  {
    // 15Five's own SCIM endpoint (the scim connector): strict SCIM downstream, its dates MM/DD/YYYY.
    kind: '15five-scim',
    extension: 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User',
    startDate: 'startDate',
    email: (n) => (n.emails as Native[] | undefined)?.[0]?.value,
    firstName: (n) => (n.name as Native | undefined)?.givenName,
    familyName: (n) => (n.name as Native | undefined)?.familyName,
    title: (n) => n.title,
    employeeNumber: (n) => (n[ENTERPRISE] as Native | undefined)?.employeeNumber,
    manager: (n) => ((n[ENTERPRISE] as Native | undefined)?.manager as Native | undefined)?.value,
    start: (n) => (n['urn:ietf:params:scim:schemas:extension:15Five:2.0:User'] as Native | undefined)?.startDate,
    active: (n) => n.active === true,
    nativeId: (n) => String(n.id),
    nativeStart: '03/01/2026',
    groups: { kind: 'native', members: (g) => ((g.members as Native[] | undefined) ?? []).map((m) => m.value) },
    seed: {
      email: 'existing@acme.example',
      fields: { userName: 'existing@acme.example', name: { givenName: 'Exi', familyName: 'Sting' }, emails: [{ value: 'existing@acme.example', type: 'work' }], active: true },
    },
  },
];

describe.each(cases)('plugin $kind: the Entra sequence end to end', (c) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(c.kind);
  });
  afterAll(async () => {
    await rig?.close();
  });

  const nativeByEmail = (email: string) => {
    const found = rig.emu.users().filter((u) => String(c.email(u)).toLowerCase() === email.toLowerCase());
    expect(found, `native users with email ${email}`).toHaveLength(1);
    return found[0]!;
  };
  const call = (path: string, init?: Parameters<Rig['gw']['call']>[1]) => rig.gw.call(path, init);
  const ids: Record<string, string> = {};

  it('creates the manager and the user; the native records carry the mapped fields', async () => {
    for (const [key, userName, given, family] of [
      ['boss', 'boss@acme.example', 'Bo', 'Ss'],
      ['ada', 'ada@acme.example', 'Ada', 'Lovelace'],
    ] as const) {
      const res = await read(
        await call('/Users', {
          method: 'POST',
          json: {
            schemas: [USER_SCHEMA, ENTERPRISE, c.extension],
            userName,
            externalId: `ext-${key}`,
            active: true,
            title: 'Engineer',
            name: { givenName: given, familyName: family },
            emails: [{ value: userName, type: 'work', primary: true }],
            [ENTERPRISE]: { employeeNumber: `E-${key}` },
            [c.extension]: { [c.startDate]: '2026-03-01T00:00:00Z' },
            meta: { resourceType: 'User' },
            roles: [],
          },
        }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids[key] = res.body.id;
      // Entra reads back exactly what it wrote, whatever the native format.
      expect(res.body[c.extension]).toEqual({ [c.startDate]: '2026-03-01T00:00:00Z' });
    }
    const ada = nativeByEmail('ada@acme.example');
    expect(c.firstName(ada)).toBe('Ada');
    expect(c.familyName(ada)).toBe('Lovelace');
    expect(c.title(ada)).toBe('Engineer');
    expect(c.start(ada)).toBe(c.nativeStart);
    expect(c.active(ada)).toBe(true);
    if (c.employeeNumber) expect(c.employeeNumber(ada)).toBe('E-ada');
    expect(rig.emu.users()).toHaveLength(2);
  });

  it('finds the user by filter, as Entra does before every change', async () => {
    const res = await read(await call(`/Users?filter=${encodeURIComponent('userName eq "ADA@acme.example"')}`));
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(ids.ada);
  });

  it('PATCH in Entra forms: manager as a bare id, Replace with capitalised ops; only changed fields go native', async () => {
    const before = rig.emu.requests().length;
    const res = await read(
      await call(`/Users/${ids.ada}`, {
        method: 'PATCH',
        json: patchOp(
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: ids.boss },
          { op: 'Replace', path: 'title', value: 'Principal Engineer' },
        ),
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body[ENTERPRISE].manager).toEqual({ value: ids.boss });
    const ada = nativeByEmail('ada@acme.example');
    const boss = nativeByEmail('boss@acme.example');
    expect(String(c.manager(ada))).toBe(c.nativeId(boss));
    expect(c.title(ada)).toBe('Principal Engineer');
    const writes = rig.emu.requests().slice(before).filter((r) => r.method !== 'GET' && !(r.method === 'POST' && /\/(search|auth)$/.test(r.path)));
    expect(writes).toHaveLength(1);
    const sent = JSON.stringify(writes[0]!.body);
    expect(sent).not.toContain('Lovelace');
  });

  it('a PATCH that changes nothing makes no native call', async () => {
    const before = rig.emu.requests().length;
    const res = await call(`/Users/${ids.ada}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'title', value: 'Principal Engineer' }) });
    expect(res.status).toBe(200);
    expect(rig.emu.requests().length).toBe(before);
  });

  it('disables with "False" (native deactivation) and enables with a no-path replace', async () => {
    const off = await call(`/Users/${ids.ada}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'active', value: 'False' }) });
    expect(off.status).toBe(200);
    expect(c.active(nativeByEmail('ada@acme.example'))).toBe(false);
    // A disabled user is still found by filter (ENTRA.md #15).
    const found = await read(await call(`/Users?filter=${encodeURIComponent('userName eq "ada@acme.example"')}`));
    expect(found.body.Resources[0].active).toBe(false);
    const on = await call(`/Users/${ids.ada}`, { method: 'PATCH', json: patchOp({ op: 'replace', value: { active: true } }) });
    expect(on.status).toBe(200);
    expect(c.active(nativeByEmail('ada@acme.example'))).toBe(true);
  });

  it('groups and members', async () => {
    // 15Five's API cannot create groups: the group exists there already and is adopted by name.
    const native = c.groups.kind === 'on-user' ? rig.emu.seedGroup({ name: 'Engineering' }) : undefined;
    const created = await read(
      await call('/Groups', {
        method: 'POST',
        json: {
          schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
          externalId: 'grp-1',
          displayName: 'Engineering',
          meta: { resourceType: 'Group' },
        },
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const gid = created.body.id as string;
    ids.group = gid;
    const add = await call(`/Groups/${gid}`, {
      method: 'PATCH',
      json: patchOp({ op: 'Add', path: 'members', value: [{ $ref: null, value: ids.ada }, { $ref: null, value: ids.boss }] }),
    });
    expect(add.status).toBe(204);
    const remove = await call(`/Groups/${gid}`, { method: 'PATCH', json: patchOp({ op: 'Remove', path: 'members', value: [{ value: ids.boss }] }) });
    expect(remove.status).toBe(204);
    const group = await read(await call(`/Groups/${gid}`));
    expect(group.body.members).toEqual([{ value: ids.ada }]);
    if (c.groups.kind === 'on-user') {
      expect(rig.emu.groups()).toHaveLength(1);
      expect(c.groups.memberOf(nativeByEmail('ada@acme.example'))).toEqual([native!.id]);
      expect(c.groups.memberOf(nativeByEmail('boss@acme.example'))).toEqual([]);
      // A group the API does not have cannot be created, and the app says so.
      const refused = await read(await call('/Groups', { method: 'POST', json: { schemas: [GROUP_SCHEMA], displayName: 'Nonexistent' } }));
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toContain('cannot create groups through its API');
      const spc = await read(await call('/ServiceProviderConfig'));
      expect(JSON.stringify(spc.body)).toContain('cannot create groups through its API');
    } else if (c.groups.kind === 'native') {
      const [native] = rig.emu.groups();
      expect(native).toMatchObject({ displayName: 'Engineering', externalId: 'grp-1' });
      expect(c.groups.members(native!)).toEqual([c.nativeId(nativeByEmail('ada@acme.example'))]);
    } else {
      expect(rig.emu.groups()).toEqual([]);
    }
  });

  it('adopts a native user that already exists instead of creating a second one', async () => {
    rig.emu.seedUser(c.seed.fields);
    const res = await read(await call(`/Users?filter=${encodeURIComponent(`userName eq "${c.seed.email}"`)}`));
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].userName).toBe(c.seed.email);
    expect(res.body.Resources[0].name).toMatchObject({ givenName: 'Exi' });
    // Entra then updates what differs; the native record is the same one.
    const patched = await call(`/Users/${res.body.Resources[0].id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: 'title', value: 'Adopted' }) });
    expect(patched.status).toBe(200);
    expect(c.title(nativeByEmail(c.seed.email))).toBe('Adopted');
  });

  it('deletes: the SCIM resource is gone, the native user is deactivated per the plugin and out of every group', async () => {
    expect((await call(`/Users/${ids.ada}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/Users/${ids.ada}`)).status).toBe(404);
    const ada = nativeByEmail('ada@acme.example');
    expect(c.active(ada)).toBe(false);
    expect((await read(await call(`/Groups/${ids.group}`))).body.members ?? []).toEqual([]);
    // The native side ends as the gateway's view: no group keeps the deleted user (issue 12, point 6).
    if (c.groups.kind === 'on-user') expect(c.groups.memberOf(ada)).toEqual([]);
    if (c.groups.kind === 'native') expect(c.groups.members(rig.emu.groups()[0]!)).toEqual([]);
  });

  it('a group delete: gone from the gateway; a native group the API cannot delete stays, without members', async () => {
    expect((await call(`/Groups/${ids.group}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/Groups/${ids.group}`)).status).toBe(404);
    if (c.groups.kind === 'on-user') expect(rig.emu.groups()).toHaveLength(1);
    else expect(rig.emu.groups()).toEqual([]);
  });

  it('kept an audit record of every native call, without credentials', async () => {
    const audit = await rig.gw.gateway.store.readAudit(c.kind, 500);
    expect(audit.some((a) => a.action.startsWith('native users.create'))).toBe(true);
    if (c.groups.kind === 'native') expect(audit.some((a) => a.action.startsWith('native groups.update'))).toBe(true);
    const text = JSON.stringify(audit) + rig.gw.logs.join('\n');
    for (const secret of Object.values(rig.emu.credentials)) expect(text).not.toContain(secret);
  });
});

describe('plugin personio: a write Personio accepts and partly ignores is reported, audited and logged', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig('personio');
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('a department Personio does not have: 400 to Entra, the gateway keeps the old value, an audit row and a log line say why', async () => {
    const created = await read(
      await rig.gw.call('/Users', {
        method: 'POST',
        json: {
          schemas: [USER_SCHEMA, ENTERPRISE],
          userName: 'dept@acme.example',
          name: { givenName: 'De', familyName: 'Pt' },
          emails: [{ value: 'dept@acme.example', type: 'work', primary: true }],
          [ENTERPRISE]: { department: 'Engineering' },
        },
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const patched = await read(
      await rig.gw.call(`/Users/${created.body.id}`, { method: 'PATCH', json: patchOp({ op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Marketing' }) }),
    );
    expect(patched.status).toBe(400);
    expect(patched.body).toMatchObject({ scimType: 'invalidValue', detail: 'Personio ignored part of the write: a department or office that does not exist in Personio' });
    const now = await read(await rig.gw.call(`/Users/${created.body.id}`));
    expect(now.body[ENTERPRISE].department).toBe('Engineering');
    expect(rig.emu.users()[0]!.department).toBe('Engineering');
    const audit = await rig.gw.gateway.store.readAudit('personio', 100);
    expect(audit.find((a) => a.action === 'patch' && a.status === 400)?.detail).toContain('Personio ignored part of the write');
    expect(audit.some((a) => a.action === 'adoption users.search' && a.detail?.startsWith('none: 0 record(s) returned before a create'))).toBe(true);
    expect(audit.some((a) => a.action === 'verify users.create' && a.detail?.startsWith('applied: read back'))).toBe(true);
    expect(rig.gw.logs.join('\n')).toContain('native answer says done but a plugin rule calls it a failure');
  });
});

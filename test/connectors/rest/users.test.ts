/**
 * The REST connector with each bundled plugin against its real emulator: the same user scenarios, the
 * native state asserted in each API's own shape.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/store/types.js';
import { ScimError } from '../../../src/scim/errors.js';
import { ENTERPRISE, FIFTEEN_FIVE, PERSONIO, startRig, USER, writes, type Rig } from './support.js';

type Native = Record<string, unknown>;

interface Spec {
  kind: '15five' | 'bamboohr' | 'hibob' | 'personio';
  /** The plugin's extension holding the start date, and its attribute. */
  ext: string;
  dateAttr: string;
  /** 2024-03-05 in the native API's format. */
  nativeDate: string;
  email(u: Native): unknown;
  title(u: Native): unknown;
  active(u: Native): boolean;
  manager(u: Native): unknown;
  date(u: Native): unknown;
  /** Exactly the native update body of a title change to `t`. */
  titleBody(t: string): unknown;
  /** Fields of a native record seeded directly (adoption). */
  seed(email: string): Native;
}

const work = (u: Native) => (u.work ?? {}) as Native;

const SPECS: Spec[] = [
  {
    kind: '15five',
    ext: FIFTEEN_FIVE,
    dateAttr: 'startDate',
    nativeDate: '03/05/2024',
    email: (u) => u.email,
    title: (u) => u.title,
    active: (u) => u.is_active === true,
    manager: (u) => u.reviewer_id,
    date: (u) => u.start_date,
    titleBody: (t) => ({ title: t }),
    seed: (email) => ({ email, first_name: 'Old', last_name: 'Name', title: 'Old title', is_active: true }),
  },
  {
    kind: 'bamboohr',
    ext: 'urn:ietf:params:scim:schemas:extension:bamboohr:2.0:User',
    dateAttr: 'hireDate',
    nativeDate: '2024-03-05',
    email: (u) => u.workEmail,
    title: (u) => u.jobTitle,
    active: (u) => u.status === 'Active',
    manager: (u) => u.supervisorEId,
    date: (u) => u.hireDate,
    titleBody: (t) => ({ jobTitle: t }),
    seed: (email) => ({ workEmail: email, firstName: 'Old', lastName: 'Name', jobTitle: 'Old title', status: 'Active' }),
  },
  {
    kind: 'hibob',
    ext: 'urn:ietf:params:scim:schemas:extension:hibob:2.0:User',
    dateAttr: 'startDate',
    nativeDate: '2024-03-05',
    email: (u) => u.email,
    title: (u) => work(u).title,
    active: (u) => u.state === 'employed',
    manager: (u) => (work(u).reportsTo as Native | null)?.id,
    date: (u) => work(u).startDate,
    titleBody: (t) => ({ work: { title: t } }),
    seed: (email) => ({ email, firstName: 'Old', surname: 'Name', work: { title: 'Old title', site: null, startDate: null, reportsTo: null } }),
  },
  {
    // Searched and read through wrapped attributes (data[].attributes.email.value), written as {"employee": {...}}.
    kind: 'personio',
    ext: PERSONIO,
    dateAttr: 'hireDate',
    nativeDate: '2024-03-05',
    email: (u) => u.email,
    title: (u) => u.position,
    active: (u) => u.status !== 'inactive',
    manager: (u) => u.supervisor_id,
    date: (u) => u.hire_date,
    titleBody: (t) => ({ employee: { position: t } }),
    seed: (email) => ({ email, first_name: 'Old', last_name: 'Name', position: 'Old title', status: 'active' }),
  },
];

function scimUser(spec: Spec, n: number, more: JsonObject = {}): JsonObject {
  const email = `user${n}@example.com`;
  return {
    schemas: [USER, ENTERPRISE, spec.ext],
    userName: email,
    name: { givenName: `Given${n}`, familyName: `Family${n}` },
    emails: [{ type: 'work', value: email, primary: true }],
    title: 'Engineer',
    active: true,
    [ENTERPRISE]: { employeeNumber: `E${n}` },
    [spec.ext]: { [spec.dateAttr]: '2024-03-05T00:00:00Z' },
    ...more,
  };
}

describe.each(SPECS)('REST connector, $kind plugin', (spec) => {
  let rig: Rig;
  let faultAfterSearch: ((op: string) => void) | undefined;
  beforeAll(async () => {
    // Faults are armed after a search that succeeded (Personio's first call after a reset gets 403 for its stale token).
    rig = await startRig(spec.kind, { onCall: (e) => e.outcome === 'ok' && faultAfterSearch?.(e.operation) });
  });
  afterAll(() => rig.close());
  beforeEach(() => {
    rig.emu.reset();
    faultAfterSearch = undefined;
  });

  const nativeUser = (id: string | undefined) => rig.emu.users().find((u) => String(u.id) === id);

  /** Creates a user and records its ids, as the resource service would. */
  async function create(n: number, more: JsonObject = {}): Promise<{ scimId: string; nativeId: string; resource: JsonObject }> {
    const resource = scimUser(spec, n, more);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    expect(nativeId).toBeTypeOf('string');
    const scimId = `scim-${spec.kind}-${n}`;
    rig.ids.set('User', scimId, nativeId!);
    return { scimId, nativeId: nativeId!, resource };
  }

  it('creates a user with every mapped attribute, the manager as a native id and the date in the native format', async () => {
    const boss = await create(1);
    const user = await create(2, { [ENTERPRISE]: { employeeNumber: 'E2', manager: { value: boss.scimId } } });
    const native = nativeUser(user.nativeId)!;
    expect(spec.email(native)).toBe('user2@example.com');
    expect(spec.title(native)).toBe('Engineer');
    expect(spec.active(native)).toBe(true);
    expect(String(spec.manager(native))).toBe(boss.nativeId);
    expect(spec.date(native)).toBe(spec.nativeDate);
    expect(rig.emu.users()).toHaveLength(2);
  });

  it('sends an update with only the fields that changed', async () => {
    const { nativeId, resource } = await create(3);
    const before = writes(rig.emu).length;
    await rig.connector.update('User', nativeId, resource, { ...resource, title: 'Staff Engineer' }, rig.ids);
    const sent = writes(rig.emu).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual(spec.titleBody('Staff Engineer'));
    expect(spec.title(nativeUser(nativeId)!)).toBe('Staff Engineer');
  });

  it('sends nothing when no mapped field changed', async () => {
    const { nativeId, resource } = await create(4);
    const before = rig.emu.requests().length;
    await rig.connector.update('User', nativeId, resource, { ...resource, displayName: 'not mapped' }, rig.ids);
    expect(rig.emu.requests()).toHaveLength(before);
  });

  it('deactivates and reactivates natively', async () => {
    const { nativeId, resource } = await create(5);
    const inactive = { ...resource, active: false };
    await rig.connector.update('User', nativeId, resource, inactive, rig.ids);
    expect(spec.active(nativeUser(nativeId)!)).toBe(false);
    await rig.connector.update('User', nativeId, inactive, resource, rig.ids);
    expect(spec.active(nativeUser(nativeId)!)).toBe(true);
  });

  it('sets, changes and clears the manager reference', async () => {
    const a = await create(6);
    const b = await create(7);
    const { nativeId, resource } = await create(8);
    const withA = { ...resource, [ENTERPRISE]: { employeeNumber: 'E8', manager: { value: a.scimId } } };
    await rig.connector.update('User', nativeId, resource, withA, rig.ids);
    expect(String(spec.manager(nativeUser(nativeId)!))).toBe(a.nativeId);
    const withB = { ...resource, [ENTERPRISE]: { employeeNumber: 'E8', manager: { value: b.scimId } } };
    await rig.connector.update('User', nativeId, withA, withB, rig.ids);
    expect(String(spec.manager(nativeUser(nativeId)!))).toBe(b.nativeId);
    await rig.connector.update('User', nativeId, withB, resource, rig.ids);
    expect(spec.manager(nativeUser(nativeId)!) ?? null).toBeNull();
  });

  it('refuses a manager that has no native record with 400 invalidValue', async () => {
    const { nativeId, resource } = await create(9);
    const after = { ...resource, [ENTERPRISE]: { manager: { value: 'nobody' } } };
    const error = await rig.connector.update('User', nativeId, resource, after, rig.ids).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    expect((error as ScimError).scimType).toBe('invalidValue');
  });

  it('deletes by deactivating (none of the three APIs deletes people)', async () => {
    const { nativeId, resource } = await create(10);
    await rig.connector.delete('User', nativeId, resource, rig.ids);
    expect(spec.active(nativeUser(nativeId)!)).toBe(false);
    expect(rig.emu.users()).toHaveLength(1);
  });

  it('adopts an existing native user with the same email instead of creating a second one', async () => {
    const seeded = rig.emu.seedUser(spec.seed('USER11@example.com'));
    const { nativeId } = await rig.connector.create('User', scimUser(spec, 11), rig.ids);
    expect(nativeId).toBe(String(seeded.id));
    expect(rig.emu.users()).toHaveLength(1);
    expect(rig.emu.requests().filter((r) => r.method === 'POST' && /\/(user\/bulk|employees|people)\/?$/.test(r.path))).toHaveLength(0);
    const native = nativeUser(nativeId)!;
    expect(spec.title(native)).toBe('Engineer'); // brought in line with the SCIM resource
  });

  it('finds a native user by userName for the gateway to adopt, mapped back to SCIM', async () => {
    const boss = await create(12);
    const user = await create(13, { [ENTERPRISE]: { employeeNumber: 'E13', manager: { value: boss.scimId } } });
    expect(rig.connector.canFind('User', 'userName')).toBe(true);
    expect(rig.connector.canFind('User', 'emails.value')).toBe(true);
    expect(rig.connector.canFind('User', 'displayName')).toBe(false);
    const found = await rig.connector.find('User', { path: 'userName', value: 'User13@Example.com' }, rig.ids);
    expect(found?.nativeId).toBe(user.nativeId);
    const scim = found!.resource;
    expect(scim.userName).toBe('user13@example.com');
    expect(scim.name).toMatchObject({ givenName: 'Given13', familyName: 'Family13' });
    expect(scim.emails).toEqual([{ type: 'work', value: 'user13@example.com' }]);
    expect((scim[ENTERPRISE] as JsonObject).manager).toEqual({ value: boss.scimId });
    expect((scim[spec.ext] as JsonObject)[spec.dateAttr]).toBe('2024-03-05');
    expect(scim.active).toBe(true);
    expect(await rig.connector.find('User', { path: 'userName', value: 'nobody@example.com' }, rig.ids)).toBeUndefined();
  });

  it('a create whose answer was lost after it happened makes one native user, not two', async () => {
    // The adoption search passes; the POST after it is applied and its connection dropped.
    faultAfterSearch = (op) => {
      if (op !== 'users.search') return;
      faultAfterSearch = undefined;
      rig.emu.setFaults({ failNext: { count: 1, with: 'drop' }, processThenFail: true });
    };
    const { nativeId } = await rig.connector.create('User', scimUser(spec, 14), rig.ids);
    const same = rig.emu.users().filter((u) => String(spec.email(u)).toLowerCase() === 'user14@example.com');
    expect(same).toHaveLength(1);
    expect(String(same[0]!.id)).toBe(nativeId);
  });

  it('a create dropped before it happened is sent again once the search shows it did not land', async () => {
    faultAfterSearch = (op) => {
      if (op !== 'users.search') return;
      faultAfterSearch = undefined;
      rig.emu.setFaults({ failNext: { count: 1, with: 'drop' } });
    };
    const { nativeId } = await rig.connector.create('User', scimUser(spec, 15), rig.ids);
    const same = rig.emu.users().filter((u) => String(spec.email(u)).toLowerCase() === 'user15@example.com');
    expect(same).toHaveLength(1);
    expect(String(same[0]!.id)).toBe(nativeId);
  });

  it('reports a native 404 on a known user as a SCIM 404, not as success', async () => {
    const { resource } = await create(16);
    const error = await rig.connector.update('User', '999999', resource, { ...resource, title: 'x' }, rig.ids).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(404);
  });

  it('passes native rate limiting upstream as 429 with Retry-After', async () => {
    await create(17);
    rig.emu.setFaults({ failRate: 1, failWith: ['429'], retryAfterSeconds: 60 });
    const error = await rig.connector.create('User', scimUser(spec, 18), rig.ids).catch((e: unknown) => e);
    rig.emu.setFaults({});
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(429);
    expect((error as ScimError).headers['Retry-After']).toBe('60');
  });
});

describe.each(SPECS)('REST connector, $kind plugin, create timeouts', (spec) => {
  let rig: Rig;
  let faultAfterSearch: ((op: string) => void) | undefined;
  beforeAll(async () => {
    // A short attempt timeout: the 'slow' fault answers after slowMs, long after it.
    rig = await startRig(spec.kind, { timeoutMs: 300, onCall: (e) => e.outcome === 'ok' && faultAfterSearch?.(e.operation) });
  });
  afterAll(() => rig.close());
  beforeEach(() => rig.emu.reset());

  const slowPostAfterSearch = (processThenFail: boolean) => {
    faultAfterSearch = (op) => {
      if (op !== 'users.search') return;
      faultAfterSearch = undefined;
      rig.emu.setFaults({ failNext: { count: 1, with: 'slow' }, slowMs: 5000, processThenFail });
    };
  };
  const sameEmail = (n: number) => rig.emu.users().filter((u) => String(spec.email(u)).toLowerCase() === `user${n}@example.com`);
  const creates = () => rig.emu.requests().filter((r) => r.method === 'POST' && /\/(user\/bulk\/|employees|people)$/.test(r.path)).length;

  it('a create that timed out after it happened is found and not sent again (an upsert is simply sent again)', async () => {
    slowPostAfterSearch(true);
    const { nativeId } = await rig.connector.create('User', scimUser(spec, 21), rig.ids);
    expect(sameEmail(21).map((u) => String(u.id))).toEqual([nativeId]);
    // 15Five's bulk endpoint creates or updates by email: repeating it is safe, so the client repeats it.
    expect(creates()).toBe(rig.plugin.users.operations.create!.upsert ? 2 : 1);
  });

  it('a create that timed out before it happened is sent again', async () => {
    slowPostAfterSearch(false);
    const { nativeId } = await rig.connector.create('User', scimUser(spec, 22), rig.ids);
    expect(sameEmail(22).map((u) => String(u.id))).toEqual([nativeId]);
    expect(creates()).toBe(2);
  });
});

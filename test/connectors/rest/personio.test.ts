/**
 * What the Personio plugin (YAML only) shows of plugin format v2, trait by trait (issue 11): adoption
 * through wrapped search results, a token that goes stale answered 403, four native statuses, writes that
 * are accepted and partly ignored — reported, never swallowed.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorDecision } from '../../../src/connectors/rest/index.js';
import { loadPlugin } from '../../../src/plugins/index.js';
import { ScimError } from '../../../src/scim/errors.js';
import type { JsonObject } from '../../../src/store/types.js';
import { editedPlugins } from '../../e2e/support.js';
import { ENTERPRISE, PERSONIO, startRig, USER, writes, type Rig } from './support.js';

const person = (n: number, more: JsonObject = {}): JsonObject => ({
  schemas: [USER, ENTERPRISE, PERSONIO],
  userName: `p${n}@example.com`,
  name: { givenName: `P${n}`, familyName: 'Person' },
  emails: [{ type: 'work', value: `p${n}@example.com` }],
  title: 'Engineer',
  active: true,
  [ENTERPRISE]: { department: 'Engineering' },
  ...more,
});

describe('Personio plugin', () => {
  let rig: Rig;
  const decisions: ConnectorDecision[] = [];
  beforeAll(async () => {
    rig = await startRig('personio', { onDecision: (d) => decisions.push(d) });
  });
  afterAll(() => rig.close());
  beforeEach(() => {
    rig.emu.reset();
    decisions.length = 0;
  });
  const native = (id: string | undefined) => rig.emu.users().find((u) => String(u.id) === id)!;
  const paths = () => rig.emu.requests().map((r) => `${r.method} ${r.path} ${r.status}`);

  it('adopts an employee found through wrapped results (data[].attributes.email.value), logging why', async () => {
    const seeded = rig.emu.seedUser({ email: 'P1@Example.com', first_name: 'P1', last_name: 'Person', position: 'Engineer', department: 'Engineering', status: 'active' });
    const { nativeId } = await rig.connector.create('User', person(1), rig.ids);
    expect(nativeId).toBe(String(seeded.id));
    expect(rig.emu.users()).toHaveLength(1);
    // Nothing differed: no write at all.
    expect(writes(rig.emu)).toEqual([]);
    expect(decisions).toEqual([
      { kind: 'adoption', type: 'User', operation: 'users.search', outcome: 'adopt', nativeId: '1', detail: '1 record(s) returned before a create; native id 1 matched on "email"' },
    ]);
  });

  it('a search whose records hold no value where the read side looks says so in the decision', async () => {
    // The plugin of a v1-style mistake: fields read where the write puts them, not where results wrap them.
    const dir = editedPlugins('personio', [["'*': attributes.{field}.value", "'*': employee.{field}"]]);
    try {
      const { plugin, problems } = loadPlugin(dir, 'personio');
      expect(problems).toEqual([]);
      const seen: ConnectorDecision[] = [];
      const naive = await startRig('personio', { plugin: plugin!, onDecision: (d) => seen.push(d) });
      try {
        naive.emu.seedUser({ email: 'p2@example.com', first_name: 'P2', last_name: 'Person' });
        await naive.connector.find('User', { path: 'userName', value: 'p2@example.com' }, naive.ids);
        expect(seen[0]).toMatchObject({
          outcome: 'none',
          detail: '1 record(s) returned for a filter the gateway could not answer; none matched: no record had a value in "email" (does operations.search.fields say where it is?)',
        });
      } finally {
        await naive.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stale token answered 403 is replaced and the call made once more (trait 3)', async () => {
    const resource = person(3);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    rig.emu.revokeTokens();
    const mark = rig.emu.requests().length;
    await rig.connector.update('User', nativeId!, resource, { ...resource, title: 'Lead' }, rig.ids);
    expect(paths().slice(mark).slice(0, 3)).toEqual([`PATCH /v1/company/employees/${nativeId} 403`, 'POST /v1/auth 200', `PATCH /v1/company/employees/${nativeId} 200`]);
    expect(native(nativeId).position).toBe('Lead');
  });

  it('four statuses round trip: leave and onboarding are active and left alone; inactive is written and read as inactive (trait 4)', async () => {
    const onLeave = rig.emu.seedUser({ email: 'p4@example.com', first_name: 'P4', last_name: 'Person', position: 'Engineer', department: 'Engineering', status: 'leave' });
    const found = await rig.connector.find('User', { path: 'userName', value: 'p4@example.com' }, rig.ids);
    expect(found?.resource.active).toBe(true);
    // Adopting with active: true keeps "leave": it already means employed.
    const { nativeId } = await rig.connector.create('User', person(4), rig.ids);
    expect(nativeId).toBe(String(onLeave.id));
    expect(native(nativeId).status).toBe('leave');
    await rig.connector.update('User', nativeId!, person(4), person(4, { active: false }), rig.ids);
    expect(native(nativeId).status).toBe('inactive');
    expect((await rig.connector.find('User', { path: 'userName', value: 'p4@example.com' }, rig.ids))?.resource.active).toBe(false);
    await rig.connector.update('User', nativeId!, person(4, { active: false }), person(4), rig.ids);
    expect(native(nativeId).status).toBe('active');
    rig.emu.seedUser({ email: 'p5@example.com', first_name: 'P5', last_name: 'Person', status: 'onboarding' });
    expect((await rig.connector.find('User', { path: 'userName', value: 'p5@example.com' }, rig.ids))?.resource.active).toBe(true);
  });

  it('a department Personio does not have is ignored with a 200 and a meta note: reported as 400, not done (trait 2)', async () => {
    const resource = person(6);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    const after = { ...resource, [ENTERPRISE]: { department: 'Marketing' } };
    const error = await rig.connector.update('User', nativeId!, resource, after, rig.ids).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    expect((error as ScimError).scimType).toBe('invalidValue');
    expect((error as ScimError).message).toBe('Personio ignored part of the write: a department or office that does not exist in Personio');
    expect(native(nativeId).department).toBe('Engineering');
  });

  it('an email change is refused before anything is sent: Personio cannot update it (createOnly: refuse)', async () => {
    const resource = person(7);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    const mark = rig.emu.requests().length;
    const changed = { ...resource, userName: 'new7@example.com', emails: [{ type: 'work', value: 'new7@example.com' }], title: 'Lead' };
    const error = await rig.connector.update('User', nativeId!, resource, changed, rig.ids).catch((e: unknown) => e);
    expect((error as ScimError).status).toBe(400);
    expect((error as ScimError).scimType).toBe('mutability');
    expect((error as ScimError).message).toBe('personio takes email only when the User is created; it cannot be changed');
    expect(rig.emu.requests().slice(mark)).toEqual([]);
  });

  it('every write is read back: a create and an update that Personio applied are verified', async () => {
    const resource = person(8, { [PERSONIO]: { hireDate: '2024-03-05T00:00:00Z', office: 'Berlin' } });
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    await rig.connector.update('User', nativeId!, resource, { ...resource, title: 'Lead' }, rig.ids);
    expect(decisions.filter((d) => d.kind === 'verify').map((d) => [d.operation, d.outcome, d.detail])).toEqual([
      ['users.create', 'applied', 'read back: email, first_name, last_name, position, department, office, hire_date, status as written'],
      ['users.update', 'applied', 'read back: position as written'],
    ]);
  });
});

describe('Personio plugin written without createOnly: the read-back catches the email Personio ignored (trait 2)', () => {
  let rig: Rig;
  let dir: string;
  const decisions: ConnectorDecision[] = [];
  beforeAll(async () => {
    dir = editedPlugins('personio', [[', createOnly: refuse }', ' }']]);
    const { plugin, problems } = loadPlugin(dir, 'personio');
    expect(problems).toEqual([]);
    rig = await startRig('personio', { plugin: plugin!, onDecision: (d) => decisions.push(d) });
  });
  afterAll(async () => {
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Personio answers 200 to an email change and keeps the old one: the update is an error naming the field', async () => {
    const resource = person(9);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    const changed = { ...resource, userName: 'new9@example.com', emails: [{ type: 'work', value: 'new9@example.com' }] };
    const error = await rig.connector.update('User', nativeId!, resource, changed, rig.ids).catch((e: unknown) => e);
    expect((error as ScimError).status).toBe(400);
    expect((error as ScimError).message).toBe('personio did not apply email (read back after users.update); nothing was reported as done');
    expect(decisions.at(-1)).toMatchObject({ kind: 'verify', operation: 'users.update', outcome: 'differs', detail: 'read back: email not as written' });
    expect(rig.emu.users()[0]!.email).toBe('p9@example.com');
  });
});

describe('Personio plugin with createOnly: report', () => {
  let rig: Rig;
  let dir: string;
  beforeAll(async () => {
    dir = editedPlugins('personio', [['createOnly: refuse', 'createOnly: report']]);
    const { plugin, problems } = loadPlugin(dir, 'personio');
    expect(problems).toEqual([]);
    rig = await startRig('personio', { plugin: plugin! });
  });
  afterAll(async () => {
    await rig.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the other changes, then reports the create-only field it did not send as 400 mutability', async () => {
    const resource = person(10);
    const { nativeId } = await rig.connector.create('User', resource, rig.ids);
    const changed = { ...resource, userName: 'new10@example.com', emails: [{ type: 'work', value: 'new10@example.com' }], title: 'Lead' };
    const error = await rig.connector.update('User', nativeId!, resource, changed, rig.ids).catch((e: unknown) => e);
    expect((error as ScimError).scimType).toBe('mutability');
    expect((error as ScimError).message).toBe('personio takes email only when the User is created: the other changes were applied, not this one');
    expect(writes(rig.emu).at(-1)!.body).toEqual({ employee: { position: 'Lead' } });
    expect(rig.emu.users()[0]).toMatchObject({ email: 'p10@example.com', position: 'Lead' });
  });
});

/**
 * The Store contract: every store (SQLite now, PostgreSQL later) runs this suite unchanged. It talks to
 * the store only through the Store interface. Each test works in apps of its own (fresh names), so a
 * store factory may hand out a shared database; isolation between apps is itself part of the contract.
 */

import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { describeClaimsContract } from './contract-claims.js';
import { storeError } from './store-error.js';
import { describeLinksContract } from './contract-links.js';
import {
  foldCase,
  type AuditEntry,
  type AuditRecord,
  type JsonObject,
  type MemberRecord,
  type ResourceRecord,
  type Store,
  type StoreCondition,
} from '../../src/store/types.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const userData = (userName: string, extra: JsonObject = {}): JsonObject => ({ schemas: [USER], userName, ...extra });
const groupData = (displayName: string, extra: JsonObject = {}): JsonObject => ({ schemas: [GROUP], displayName, ...extra });
const member = (value: string, extra: JsonObject = {}): MemberRecord => ({ value, raw: { value, ...extra } });

/** Waits until the clock has moved on, so the next write gets a later timestamp. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((r) => setTimeout(r, 1));
}

const c = {
  cmp: (op: 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le', field: StoreConditionField, value: string): StoreCondition => ({ op, field, value }),
  pr: (field: StoreConditionField): StoreCondition => ({ op: 'pr', field }),
  and: (left: StoreCondition, right: StoreCondition): StoreCondition => ({ op: 'and', left, right }),
  or: (left: StoreCondition, right: StoreCondition): StoreCondition => ({ op: 'or', left, right }),
  not: (condition: StoreCondition): StoreCondition => ({ op: 'not', condition }),
};
type StoreConditionField = Extract<StoreCondition, { op: 'pr' }>['field'];

export function runStoreContract(
  name: string,
  makeStore: () => Promise<Store>,
  cleanup?: () => Promise<void> | void,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const newApp = (): string => `app-${randomUUID()}`;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });
    if (cleanup) afterAll(cleanup);

    const ids = (records: readonly ResourceRecord[]): string[] => records.map((r) => r.id);

    describe('create and get', () => {
      it('returns the data exactly as written, unicode, nesting and dotted URN keys included', async () => {
        const app = newApp();
        const data: JsonObject = {
          schemas: [USER, ENTERPRISE, 'urn:ietf:params:scim:schemas:extension:15Five:2.0:User'],
          userName: 'Zoë.Ångström+tag@example.com',
          name: { givenName: 'Zoë', familyName: 'Ångström', formatted: 'مرحبا 你好 👩🏽‍💻 e\u0301' },
          emails: [{ value: 'z@example.com', type: 'work', primary: true }, { value: 'other@example.com' }],
          nested: [[1, 2.5, -3], [], [{ deep: [null, true, false, 0] }], 'x'],
          empty: {},
          nothing: null,
          big: 1e21,
          quote: 'He said "hi" \\ \n\t',
          [ENTERPRISE]: { employeeNumber: '0042', manager: { value: 'abc' } },
          'urn:ietf:params:scim:schemas:extension:15Five:2.0:User': { location: 'Zürich', startDate: '01/02/2024' },
          'a.b.c': 'dotted key',
        };
        const before = new Date().toISOString();
        const created = await store.create(app, 'User', { data });
        const after = new Date().toISOString();
        expect(created.id).toMatch(UUID_V4);
        expect(created.type).toBe('User');
        expect(created.version).toBe(1);
        expect(created.created).toMatch(ISO_MS);
        expect(created.lastModified).toBe(created.created);
        expect(created.created >= before && created.created <= after).toBe(true);
        expect(created.data).toStrictEqual(data);

        const got = await store.get(app, 'User', created.id);
        expect(got).toStrictEqual({ ...created });
        expect(got?.data).toStrictEqual(data);
      });

      it('keeps no reference to the caller objects', async () => {
        const app = newApp();
        const data = userData('a@x', { tags: ['one'] });
        const created = await store.create(app, 'User', { data });
        (data['tags'] as string[]).push('two');
        created.data['userName'] = 'changed';
        expect((await store.get(app, 'User', created.id))?.data).toStrictEqual(userData('a@x', { tags: ['one'] }));
      });

      it('generates unique ids', async () => {
        const app = newApp();
        const made = await Promise.all(Array.from({ length: 100 }, (_, i) => store.create(app, 'User', { data: userData(`u${i}`) })));
        expect(new Set(ids(made)).size).toBe(100);
      });

      it('keeps a given id; ids are unique per app across both types', async () => {
        const [app, other] = [newApp(), newApp()];
        const user = await store.create(app, 'User', { id: 'fixed-1', data: userData('a') });
        expect(user.id).toBe('fixed-1');
        for (const type of ['User', 'Group'] as const) {
          const err = await storeError(store.create(app, type, { id: 'fixed-1', data: type === 'User' ? userData('c') : groupData('g') }));
          expect(err.code).toBe('conflict');
          expect(err.details.field).toBe('id');
        }
        expect((await store.create(other, 'Group', { id: 'fixed-1', data: groupData('g') })).id).toBe('fixed-1');
        expect((await store.query(app, 'Group', {})).total).toBe(0);
      });

      it('answers null for an unknown id, another type or another app', async () => {
        const [app, other] = [newApp(), newApp()];
        const user = await store.create(app, 'User', { data: userData('a') });
        expect(await store.get(app, 'User', 'no-such-id')).toBeNull();
        expect(await store.get(app, 'Group', user.id)).toBeNull();
        expect(await store.get(other, 'User', user.id)).toBeNull();
      });

      it('gives groups members only when asked', async () => {
        const app = newApp();
        const user = await store.create(app, 'User', { data: userData('a') });
        const group = await store.create(app, 'Group', { data: groupData('g'), members: [member(user.id)] });
        expect(group.members).toStrictEqual([member(user.id)]);
        expect((await store.get(app, 'Group', group.id))?.members).toBeUndefined();
        expect((await store.get(app, 'Group', group.id, { withMembers: true }))?.members).toStrictEqual([member(user.id)]);
        const bare = await store.create(app, 'Group', { data: groupData('h') });
        expect((await store.get(app, 'Group', bare.id, { withMembers: true }))?.members).toStrictEqual([]);
      });
    });

    describe('uniqueness', () => {
      it.each([
        { first: 'Alice@x', second: 'alice@X' },
        { first: 'BOB@EXAMPLE.COM', second: 'bob@example.com' },
        { first: 'ÉLODIE@x', second: 'élodie@x' },
      ])('userName $first collides with $second in the same app only', async ({ first, second }) => {
        const [app, other] = [newApp(), newApp()];
        await store.create(app, 'User', { data: userData(first) });
        const err = await storeError(store.create(app, 'User', { data: userData(second) }));
        expect(err.code).toBe('conflict');
        expect(err.details.field).toBe('userName');
        expect((await store.query(app, 'User', {})).total).toBe(1);
        await expect(store.create(other, 'User', { data: userData(second) })).resolves.toMatchObject({ version: 1 });
      });

      it('checks userName on replace, excluding the resource itself', async () => {
        const app = newApp();
        const alice = await store.create(app, 'User', { data: userData('alice@x') });
        const bob = await store.create(app, 'User', { data: userData('bob@x') });
        const err = await storeError(store.replace(app, 'User', bob.id, { data: userData('ALICE@x') }));
        expect(err).toMatchObject({ code: 'conflict', details: { field: 'userName' } });
        expect(await store.get(app, 'User', bob.id)).toStrictEqual(bob);
        await expect(store.replace(app, 'User', alice.id, { data: userData('Alice@X') })).resolves.toMatchObject({ version: 2 });
      });

      it('frees a userName when its user is deleted or renamed', async () => {
        const app = newApp();
        const a = await store.create(app, 'User', { data: userData('a@x') });
        await store.replace(app, 'User', a.id, { data: userData('renamed@x') });
        await expect(store.create(app, 'User', { data: userData('A@x') })).resolves.toBeDefined();
        await store.delete(app, 'User', a.id);
        await expect(store.create(app, 'User', { data: userData('renamed@X') })).resolves.toBeDefined();
      });

      it('lets users share a displayName and groups share one without the option', async () => {
        const app = newApp();
        await store.create(app, 'User', { data: userData('a', { displayName: 'Same' }) });
        await store.create(app, 'User', { data: userData('b', { displayName: 'same' }) });
        await store.create(app, 'Group', { data: groupData('Team') });
        await store.create(app, 'Group', { data: groupData('TEAM') });
        expect((await store.query(app, 'Group', {})).total).toBe(2);
      });

      it('makes group displayName unique per app, case-insensitively, with the option', async () => {
        const [app, other] = [newApp(), newApp()];
        const unique = { uniqueGroupDisplayName: true };
        const team = await store.create(app, 'Group', { data: groupData('Team') }, unique);
        const err = await storeError(store.create(app, 'Group', { data: groupData('tEAM') }, unique));
        expect(err).toMatchObject({ code: 'conflict', details: { field: 'displayName' } });
        const ops = await store.create(app, 'Group', { data: groupData('Ops') }, unique);
        const renamed = await storeError(store.replace(app, 'Group', ops.id, { data: groupData('TEAM') }, unique));
        expect(renamed).toMatchObject({ code: 'conflict', details: { field: 'displayName' } });
        await expect(store.replace(app, 'Group', team.id, { data: groupData('team') }, unique)).resolves.toMatchObject({ version: 2 });
        await expect(store.create(other, 'Group', { data: groupData('Team') }, unique)).resolves.toBeDefined();
        // A user's displayName is no group's.
        await expect(store.create(app, 'User', { data: userData('u', { displayName: 'Ops' }) })).resolves.toBeDefined();
      });

      it('holds a name taken before the option was on against a write with the option; a write without it checks nothing', async () => {
        const app = newApp();
        await store.create(app, 'Group', { data: groupData('Legacy') });
        const err = await storeError(store.create(app, 'Group', { data: groupData('LEGACY') }, { uniqueGroupDisplayName: true }));
        expect(err).toMatchObject({ code: 'conflict', details: { field: 'displayName' } });
        await store.create(app, 'Group', { data: groupData('Fresh') }, { uniqueGroupDisplayName: true });
        await expect(store.create(app, 'Group', { data: groupData('fresh') })).resolves.toBeDefined();
      });
    });

    describe('replace', () => {
      it('replaces the data, bumps the version and lastModified, keeps created', async () => {
        const app = newApp();
        const made = await store.create(app, 'User', { data: userData('a', { title: 'old', extra: [1] }) });
        await nextMillisecond();
        const next = await store.replace(app, 'User', made.id, { data: userData('a', { title: 'new' }) });
        expect(next).toMatchObject({ id: made.id, type: 'User', version: 2, created: made.created });
        expect(next.lastModified > made.lastModified).toBe(true);
        expect(next.data).toStrictEqual(userData('a', { title: 'new' }));
        expect(await store.get(app, 'User', made.id)).toStrictEqual(next);
        const third = await store.replace(app, 'User', made.id, { data: userData('a') }, { ifVersion: 2 });
        expect(third.version).toBe(3);
      });

      it('rejects a stale ifVersion and changes nothing', async () => {
        const app = newApp();
        const made = await store.create(app, 'User', { data: userData('a') });
        await store.replace(app, 'User', made.id, { data: userData('a', { n: 1 }) });
        const before = await store.get(app, 'User', made.id);
        const err = await storeError(store.replace(app, 'User', made.id, { data: userData('b') }, { ifVersion: 1 }));
        expect(err.code).toBe('version_mismatch');
        expect(await store.get(app, 'User', made.id)).toStrictEqual(before);
        expect((await store.query(app, 'User', { condition: c.cmp('eq', 'userName', 'b') })).total).toBe(0);
      });

      it('reports not_found for an unknown id, another type or another app', async () => {
        const [app, other] = [newApp(), newApp()];
        const user = await store.create(app, 'User', { data: userData('a') });
        for (const [a, type, id] of [[app, 'User', 'nope'], [app, 'Group', user.id], [other, 'User', user.id]] as const) {
          expect((await storeError(store.replace(a, type, id, { data: userData('z') }))).code).toBe('not_found');
        }
      });

      it('re-derives the indexed fields from the new data', async () => {
        const app = newApp();
        const made = await store.create(app, 'User', { data: userData('Old@x', { externalId: 'e1', displayName: 'D' }) });
        await store.replace(app, 'User', made.id, { data: userData('New@x') });
        const count = async (cond: StoreCondition) => (await store.query(app, 'User', { condition: cond })).total;
        expect(await count(c.cmp('eq', 'userName', 'old@x'))).toBe(0);
        expect(await count(c.cmp('eq', 'userName', 'new@x'))).toBe(1);
        expect(await count(c.pr('externalId'))).toBe(0);
        expect(await count(c.pr('displayName'))).toBe(0);
      });

      it('replaces a member list when given, keeps it when not', async () => {
        const app = newApp();
        const [a, b, cc] = await Promise.all(['a', 'b', 'c'].map((n) => store.create(app, 'User', { data: userData(n) })));
        const group = await store.create(app, 'Group', { data: groupData('g'), members: [member(a!.id)] });
        const replaced = await store.replace(app, 'Group', group.id, {
          data: groupData('g2'),
          members: [member(cc!.id, { display: 'C' }), member(a!.id), member(b!.id, { $ref: null })],
        });
        const expected = [member(cc!.id, { display: 'C' }), member(a!.id), member(b!.id, { $ref: null })];
        expect(replaced.members).toStrictEqual(expected);
        await store.replace(app, 'Group', group.id, { data: groupData('g3') });
        expect((await store.get(app, 'Group', group.id, { withMembers: true }))?.members).toStrictEqual(expected);
        await store.replace(app, 'Group', group.id, { data: groupData('g3'), members: [] });
        expect((await store.get(app, 'Group', group.id, { withMembers: true }))?.members).toStrictEqual([]);
      });
    });

    describe('delete', () => {
      it('deletes once, then answers false', async () => {
        const app = newApp();
        const made = await store.create(app, 'User', { data: userData('a') });
        expect(await store.delete(app, 'Group', made.id)).toBe(false);
        expect(await store.delete(newApp(), 'User', made.id)).toBe(false);
        expect(await store.delete(app, 'User', made.id)).toBe(true);
        expect(await store.get(app, 'User', made.id)).toBeNull();
        expect(await store.delete(app, 'User', made.id)).toBe(false);
      });

      it('honours ifVersion', async () => {
        const app = newApp();
        const made = await store.create(app, 'User', { data: userData('a') });
        expect((await storeError(store.delete(app, 'User', made.id, { ifVersion: 7 }))).code).toBe('version_mismatch');
        expect(await store.get(app, 'User', made.id)).toStrictEqual(made);
        expect(await store.delete(app, 'User', made.id, { ifVersion: 1 })).toBe(true);
      });

      it('removes a deleted member from its groups and bumps only those groups', async () => {
        const app = newApp();
        const [u, v] = await Promise.all(['u', 'v'].map((n) => store.create(app, 'User', { data: userData(n) })));
        const g1 = await store.create(app, 'Group', { data: groupData('g1'), members: [member(u!.id), member(v!.id)] });
        const g2 = await store.create(app, 'Group', { data: groupData('g2'), members: [member(u!.id)] });
        const g3 = await store.create(app, 'Group', { data: groupData('g3'), members: [member(v!.id)] });
        const outer = await store.create(app, 'Group', { data: groupData('outer'), members: [member(g2.id), member(v!.id)] });
        await nextMillisecond();
        expect(await store.delete(app, 'User', u!.id)).toBe(true);

        const after = async (id: string) => (await store.get(app, 'Group', id, { withMembers: true }))!;
        const [a1, a2, a3] = [await after(g1.id), await after(g2.id), await after(g3.id)];
        expect(a1).toMatchObject({ version: 2, members: [member(v!.id)] });
        expect(a1.lastModified > g1.lastModified).toBe(true);
        expect(a2).toMatchObject({ version: 2, members: [] });
        expect(a3).toMatchObject({ version: 1, lastModified: g3.lastModified, members: [member(v!.id)] });
        expect((await store.groupsOf(app, [u!.id])).get(u!.id) ?? []).toStrictEqual([]);

        // A deleted group leaves the groups it was in, which change too; its own members stay.
        expect(await store.delete(app, 'Group', g2.id)).toBe(true);
        expect(await after(outer.id)).toMatchObject({ version: 2, members: [member(v!.id)] });
        expect((await store.groupsOf(app, [v!.id])).get(v!.id)?.map((g) => g.value).sort()).toStrictEqual(
          [g1.id, g3.id, outer.id].sort(),
        );
        expect(await store.delete(app, 'Group', g1.id)).toBe(true);
        expect(await store.get(app, 'User', v!.id)).toMatchObject({ version: 1 });
        expect((await store.groupsOf(app, [v!.id])).get(v!.id)?.map((g) => g.value).sort()).toStrictEqual([g3.id, outer.id].sort());
      });
    });

    describe('members', () => {
      it('rejects missing members with every missing id, writing nothing', async () => {
        const [app, other] = [newApp(), newApp()];
        const u = await store.create(app, 'User', { data: userData('u') });
        const foreign = await store.create(other, 'User', { data: userData('f') });
        const members = [member(u.id), member('missing-1'), member(foreign.id), member('missing-2'), member('missing-1')];
        const err = await storeError(store.create(app, 'Group', { data: groupData('g'), members }));
        expect(err.code).toBe('missing_members');
        expect(err.details.ids).toStrictEqual(['missing-1', foreign.id, 'missing-2']);
        expect((await store.query(app, 'Group', {})).total).toBe(0);
        expect((await store.groupsOf(app, [u.id])).get(u.id)).toStrictEqual([]);

        const group = await store.create(app, 'Group', { data: groupData('g'), members: [member(u.id)] });
        const err2 = await storeError(store.replace(app, 'Group', group.id, { data: groupData('changed'), members: [member('gone')] }));
        expect(err2).toMatchObject({ code: 'missing_members', details: { ids: ['gone'] } });
        expect(await store.get(app, 'Group', group.id, { withMembers: true })).toStrictEqual(group);
      });

      it('keeps the given order and raw objects, collapses repeats to the first, allows groups as members', async () => {
        const app = newApp();
        const users = await Promise.all(['a', 'b', 'c'].map((n) => store.create(app, 'User', { data: userData(n) })));
        const inner = await store.create(app, 'Group', { data: groupData('inner') });
        const [a, b, cc] = users.map((u) => u.id) as [string, string, string];
        const given = [
          member(cc, { display: 'Çé 😀', type: 'User' }),
          member(inner.id, { type: 'Group', $ref: null }),
          member(a),
          member(cc, { display: 'second copy' }),
          member(b, { $ref: `https://example.com/Users/${b}` }),
        ];
        const group = await store.create(app, 'Group', { data: groupData('outer'), members: given });
        const expected = [given[0], given[1], given[2], given[4]];
        expect(group.members).toStrictEqual(expected);
        expect((await store.get(app, 'Group', group.id, { withMembers: true }))?.members).toStrictEqual(expected);
      });

      it('reads back exactly the list of every replace: adds, removals, changed raw objects, reorders', async () => {
        const app = newApp();
        const users = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(app, 'User', { data: userData(`u${i}`) })));
        const u = users.map((r) => r.id);
        const group = await store.create(app, 'Group', { data: groupData('g'), members: [0, 1, 2, 3].map((i) => member(u[i]!)) });
        const lists: MemberRecord[][] = [
          [member(u[0]!), member(u[2]!), member(u[3]!), member(u[4]!), member(u[5]!)], // one removed, two added at the end
          [member(u[0]!, { display: 'Zero' }), member(u[2]!), member(u[3]!), member(u[4]!), member(u[5]!), member(u[6]!)], // a raw change
          [member(u[5]!), member(u[0]!), member(u[2]!)], // reordered, some removed
          [member(u[5]!), member(u[7]!), member(u[0]!)], // a new member between two that stay
          [member(u[7]!), member(u[1]!)],
          [member(u[7]!), member(u[1]!), member(u[0]!)], // a member removed before comes back, last
          [],
          [member(u[9]!), member(u[8]!)],
        ];
        for (const list of lists) {
          const replaced = await store.replace(app, 'Group', group.id, { data: groupData('g'), members: list });
          expect(replaced.members).toStrictEqual(list);
          expect((await store.get(app, 'Group', group.id, { withMembers: true }))?.members).toStrictEqual(list);
        }
        const groupsOf = await store.groupsOf(app, u);
        expect(u.filter((id) => (groupsOf.get(id) ?? []).length > 0)).toStrictEqual([u[8], u[9]]);
      });

      it('a changed list naming a member that does not exist writes nothing, not even the removals', async () => {
        const app = newApp();
        const [a, b] = await Promise.all(['a', 'b'].map((n) => store.create(app, 'User', { data: userData(n) })));
        const group = await store.create(app, 'Group', { data: groupData('g'), members: [member(a!.id), member(b!.id)] });
        const err = await storeError(store.replace(app, 'Group', group.id, { data: groupData('g'), members: [member(a!.id), member('gone')] }));
        expect(err).toMatchObject({ code: 'missing_members', details: { ids: ['gone'] } });
        expect(await store.get(app, 'Group', group.id, { withMembers: true })).toStrictEqual(group);
      });
    });

    describe('conditions', () => {
      type Key = 'a' | 'b' | 'c' | 'h' | 'e';
      const HOSTILE = "x' OR 1=1 --";
      const fixture: { key: Key; data: JsonObject }[] = [
        { key: 'a', data: userData('Alice@Example.com', { displayName: 'Alice Liddell', externalId: 'EXT-1' }) },
        { key: 'b', data: userData('bob@example.com', { displayName: 'Bob', externalId: 'ext-2' }) },
        { key: 'c', data: userData('carol@example.org') },
        { key: 'h', data: userData(HOSTILE, { displayName: '%_', externalId: '' }) },
        { key: 'e', data: userData('Élodie@example.com', { displayName: 'Élodie Ñ 😀', externalId: 42 }) },
      ];
      let app: string;
      let byKey: Map<Key, ResourceRecord>;
      let keyOf: Map<string, Key>;

      beforeEach(async () => {
        app = newApp();
        byKey = new Map();
        for (const { key, data } of fixture) {
          byKey.set(key, await store.create(app, 'User', { data }));
          await nextMillisecond();
        }
        // Same names in a group and in another app must never show up in a User query of this app.
        await store.create(app, 'Group', { data: groupData('Bob', { externalId: 'EXT-1' }) });
        await store.create(newApp(), 'User', { data: userData('bob@example.com', { externalId: 'EXT-1' }) });
        keyOf = new Map([...byKey].map(([k, r]) => [r.id, k]));
      });

      const at = (key: Key, field: 'id' | 'created' | 'lastModified'): string => {
        const r = byKey.get(key)!;
        return field === 'id' ? r.id : field === 'created' ? r.created : r.lastModified;
      };
      const ALL: Key[] = ['a', 'b', 'c', 'h', 'e'];
      const rows: { name: string; condition: () => StoreCondition; expected: Key[] }[] = [
        // userName (stored folded: conditions carry folded values)
        { name: 'userName eq folded', condition: () => c.cmp('eq', 'userName', 'alice@example.com'), expected: ['a'] },
        { name: 'userName eq unfolded finds nothing', condition: () => c.cmp('eq', 'userName', 'Alice@Example.com'), expected: [] },
        { name: 'userName eq unicode', condition: () => c.cmp('eq', 'userName', foldCase('ÉLODIE@example.com')), expected: ['e'] },
        { name: 'userName ne', condition: () => c.cmp('ne', 'userName', 'alice@example.com'), expected: ['b', 'c', 'h', 'e'] },
        { name: 'userName co', condition: () => c.cmp('co', 'userName', 'example'), expected: ['a', 'b', 'c', 'e'] },
        { name: 'userName sw', condition: () => c.cmp('sw', 'userName', 'bob'), expected: ['b'] },
        { name: 'userName ew', condition: () => c.cmp('ew', 'userName', '.org'), expected: ['c'] },
        { name: 'userName ew longer than any value', condition: () => c.cmp('ew', 'userName', 'x'.repeat(100) + '.org'), expected: [] },
        { name: 'userName gt', condition: () => c.cmp('gt', 'userName', 'bob@example.com'), expected: ['c', 'h', 'e'] },
        { name: 'userName ge', condition: () => c.cmp('ge', 'userName', 'bob@example.com'), expected: ['b', 'c', 'h', 'e'] },
        { name: 'userName lt', condition: () => c.cmp('lt', 'userName', 'bob@example.com'), expected: ['a'] },
        { name: 'userName le', condition: () => c.cmp('le', 'userName', 'bob@example.com'), expected: ['a', 'b'] },
        { name: 'userName pr', condition: () => c.pr('userName'), expected: ALL },
        // hostile values are data, never SQL or pattern syntax
        { name: 'hostile eq', condition: () => c.cmp('eq', 'userName', foldCase(HOSTILE)), expected: ['h'] },
        { name: 'hostile co', condition: () => c.cmp('co', 'userName', "' or 1=1 --"), expected: ['h'] },
        { name: 'hostile sw', condition: () => c.cmp('sw', 'userName', "x'"), expected: ['h'] },
        { name: 'hostile ne', condition: () => c.cmp('ne', 'userName', "' OR ''='"), expected: ALL },
        { name: 'injection attempt', condition: () => c.cmp('eq', 'userName', "nobody' OR '1'='1"), expected: [] },
        { name: 'percent literal', condition: () => c.cmp('co', 'displayName', '%'), expected: ['h'] },
        { name: 'underscore literal', condition: () => c.cmp('co', 'displayName', '_'), expected: ['h'] },
        { name: 'percent-underscore eq', condition: () => c.cmp('eq', 'displayName', '%_'), expected: ['h'] },
        { name: 'percent sw', condition: () => c.cmp('sw', 'displayName', '%'), expected: ['h'] },
        { name: 'underscore ew', condition: () => c.cmp('ew', 'displayName', '_'), expected: ['h'] },
        { name: 'star and brackets literal', condition: () => c.cmp('co', 'userName', '*[a]?'), expected: [] },
        // displayName: absent on c
        { name: 'displayName eq', condition: () => c.cmp('eq', 'displayName', 'bob'), expected: ['b'] },
        { name: 'displayName ne includes absent', condition: () => c.cmp('ne', 'displayName', 'bob'), expected: ['a', 'c', 'h', 'e'] },
        { name: 'displayName co unicode', condition: () => c.cmp('co', 'displayName', 'ñ'), expected: ['e'] },
        { name: 'displayName ew astral', condition: () => c.cmp('ew', 'displayName', ' 😀'), expected: ['e'] },
        { name: 'displayName sw unicode', condition: () => c.cmp('sw', 'displayName', 'élodie'), expected: ['e'] },
        { name: 'displayName eq unicode', condition: () => c.cmp('eq', 'displayName', foldCase('Élodie Ñ 😀')), expected: ['e'] },
        { name: 'displayName co', condition: () => c.cmp('co', 'displayName', 'li'), expected: ['a'] },
        { name: 'displayName gt skips absent', condition: () => c.cmp('gt', 'displayName', 'b'), expected: ['b', 'e'] },
        { name: 'displayName lt skips absent', condition: () => c.cmp('lt', 'displayName', 'b'), expected: ['a', 'h'] },
        { name: 'displayName pr', condition: () => c.pr('displayName'), expected: ['a', 'b', 'h', 'e'] },
        { name: 'displayName sw empty', condition: () => c.cmp('sw', 'displayName', ''), expected: ['a', 'b', 'h', 'e'] },
        { name: 'displayName ew empty', condition: () => c.cmp('ew', 'displayName', ''), expected: ['a', 'b', 'h', 'e'] },
        { name: 'displayName co empty', condition: () => c.cmp('co', 'displayName', ''), expected: ['a', 'b', 'h', 'e'] },
        { name: 'not displayName pr', condition: () => c.not(c.pr('displayName')), expected: ['c'] },
        { name: 'not displayName eq', condition: () => c.not(c.cmp('eq', 'displayName', 'bob')), expected: ['a', 'c', 'h', 'e'] },
        { name: 'not displayName ne', condition: () => c.not(c.cmp('ne', 'displayName', 'bob')), expected: ['b'] },
        { name: 'not displayName gt', condition: () => c.not(c.cmp('gt', 'displayName', 'b')), expected: ['a', 'c', 'h'] },
        { name: 'not displayName co empty', condition: () => c.not(c.cmp('co', 'displayName', '')), expected: ['c'] },
        // externalId: exact case; '' on h (present but empty), a number on e (not a string: absent)
        { name: 'externalId eq', condition: () => c.cmp('eq', 'externalId', 'EXT-1'), expected: ['a'] },
        { name: 'externalId eq is case-exact', condition: () => c.cmp('eq', 'externalId', 'ext-1'), expected: [] },
        { name: 'externalId eq empty', condition: () => c.cmp('eq', 'externalId', ''), expected: ['h'] },
        { name: 'externalId ne', condition: () => c.cmp('ne', 'externalId', 'EXT-1'), expected: ['b', 'c', 'h', 'e'] },
        { name: 'externalId ne empty', condition: () => c.cmp('ne', 'externalId', ''), expected: ['a', 'b', 'c', 'e'] },
        { name: 'externalId sw upper', condition: () => c.cmp('sw', 'externalId', 'EXT'), expected: ['a'] },
        { name: 'externalId sw lower', condition: () => c.cmp('sw', 'externalId', 'ext'), expected: ['b'] },
        { name: 'externalId co', condition: () => c.cmp('co', 'externalId', 'XT'), expected: ['a'] },
        { name: 'externalId ew', condition: () => c.cmp('ew', 'externalId', '-2'), expected: ['b'] },
        { name: 'externalId lt by code unit', condition: () => c.cmp('lt', 'externalId', 'ext'), expected: ['a', 'h'] },
        { name: 'externalId ge by code unit', condition: () => c.cmp('ge', 'externalId', 'ext'), expected: ['b'] },
        { name: 'externalId le', condition: () => c.cmp('le', 'externalId', 'EXT-1'), expected: ['a', 'h'] },
        { name: 'externalId pr excludes empty and non-strings', condition: () => c.pr('externalId'), expected: ['a', 'b'] },
        { name: 'not externalId pr', condition: () => c.not(c.pr('externalId')), expected: ['c', 'h', 'e'] },
        // id
        { name: 'id eq', condition: () => c.cmp('eq', 'id', at('b', 'id')), expected: ['b'] },
        { name: 'id ne', condition: () => c.cmp('ne', 'id', at('b', 'id')), expected: ['a', 'c', 'h', 'e'] },
        { name: 'id pr', condition: () => c.pr('id'), expected: ALL },
        { name: 'not id eq', condition: () => c.not(c.cmp('eq', 'id', at('b', 'id'))), expected: ['a', 'c', 'h', 'e'] },
        { name: 'id sw', condition: () => c.cmp('sw', 'id', at('h', 'id')), expected: ['h'] },
        // created / lastModified (fixture written in distinct milliseconds, in key order)
        { name: 'created eq', condition: () => c.cmp('eq', 'created', at('c', 'created')), expected: ['c'] },
        { name: 'created ne', condition: () => c.cmp('ne', 'created', at('c', 'created')), expected: ['a', 'b', 'h', 'e'] },
        { name: 'created gt', condition: () => c.cmp('gt', 'created', at('b', 'created')), expected: ['c', 'h', 'e'] },
        { name: 'created ge', condition: () => c.cmp('ge', 'created', at('b', 'created')), expected: ['b', 'c', 'h', 'e'] },
        { name: 'created lt', condition: () => c.cmp('lt', 'created', at('b', 'created')), expected: ['a'] },
        { name: 'created le', condition: () => c.cmp('le', 'created', at('b', 'created')), expected: ['a', 'b'] },
        { name: 'created sw year', condition: () => c.cmp('sw', 'created', at('a', 'created').slice(0, 4)), expected: ALL },
        { name: 'created ew Z', condition: () => c.cmp('ew', 'created', 'Z'), expected: ALL },
        { name: 'created co T', condition: () => c.cmp('co', 'created', 'T'), expected: ALL },
        { name: 'created pr', condition: () => c.pr('created'), expected: ALL },
        { name: 'lastModified ge', condition: () => c.cmp('ge', 'lastModified', at('h', 'lastModified')), expected: ['h', 'e'] },
        { name: 'lastModified lt', condition: () => c.cmp('lt', 'lastModified', at('b', 'lastModified')), expected: ['a'] },
        { name: 'lastModified eq', condition: () => c.cmp('eq', 'lastModified', at('e', 'lastModified')), expected: ['e'] },
        { name: 'not lastModified pr', condition: () => c.not(c.pr('lastModified')), expected: [] },
        // and / or / not nesting
        { name: 'and', condition: () => c.and(c.pr('externalId'), c.cmp('sw', 'userName', 'a')), expected: ['a'] },
        { name: 'or with absent', condition: () => c.or(c.cmp('eq', 'displayName', 'bob'), c.not(c.pr('displayName'))), expected: ['b', 'c'] },
        {
          name: 'not of or',
          condition: () => c.not(c.or(c.cmp('eq', 'externalId', 'EXT-1'), c.cmp('eq', 'externalId', 'ext-2'))),
          expected: ['c', 'h', 'e'],
        },
        {
          name: 'not of and with an absent operand',
          condition: () => c.not(c.and(c.pr('displayName'), c.cmp('co', 'userName', 'example'))),
          expected: ['c', 'h'],
        },
        {
          name: 'not of and with a comparison on absent',
          condition: () => c.not(c.and(c.cmp('ne', 'displayName', 'bob'), c.cmp('lt', 'displayName', 'c'))),
          expected: ['b', 'c', 'e'],
        },
        {
          name: 'not of or with a comparison on absent',
          condition: () => c.not(c.or(c.cmp('eq', 'displayName', 'bob'), c.cmp('gt', 'externalId', 'a'))),
          expected: ['a', 'c', 'h', 'e'],
        },
        { name: 'double not', condition: () => c.not(c.not(c.cmp('ne', 'displayName', 'bob'))), expected: ['a', 'c', 'h', 'e'] },
        { name: 'double not of a comparison on absent', condition: () => c.not(c.not(c.cmp('eq', 'displayName', 'x'))), expected: [] },
        {
          name: 'nested and/or/not',
          condition: () =>
            c.or(
              c.and(c.cmp('eq', 'userName', 'alice@example.com'), c.not(c.cmp('eq', 'externalId', 'nope'))),
              c.and(c.not(c.pr('externalId')), c.not(c.pr('displayName'))),
            ),
          expected: ['a', 'c'],
        },
        { name: 'and of ne on absent', condition: () => c.and(c.cmp('ne', 'externalId', 'x'), c.cmp('ne', 'displayName', 'y')), expected: ALL },
        {
          name: 'long or-chain',
          condition: () =>
            Array.from({ length: 120 }, (_, i) => c.cmp('eq', 'userName', `nobody-${i}`)).reduce((l, r) => c.or(l, r), c.cmp('eq', 'userName', 'bob@example.com')),
          expected: ['b'],
        },
        {
          name: 'deep not nesting',
          condition: () => {
            let cond = c.cmp('ne', 'displayName', 'bob');
            for (let i = 0; i < 100; i++) cond = c.not(cond);
            return cond;
          },
          expected: ['a', 'c', 'h', 'e'],
        },
      ];

      it.each(rows)('$name', async ({ condition, expected }) => {
        const result = await store.query(app, 'User', { condition: condition() });
        expect(result.records.map((r) => keyOf.get(r.id)).sort()).toStrictEqual([...expected].sort());
        expect(result.total).toBe(expected.length);
      });

      it('rejects an absurdly deep condition as an invalid filter instead of crashing', async () => {
        let cond: StoreCondition = c.cmp('eq', 'userName', 'x');
        for (let i = 0; i < 100_000; i++) cond = c.not(cond);
        const err = await store.query(app, 'User', { condition: cond }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ScimError);
        expect(err).toMatchObject({ status: 400, scimType: 'invalidFilter' });
        // The store is still fine afterwards.
        expect((await store.query(app, 'User', {})).total).toBe(5);
      });
    });

    describe('sort and paging', () => {
      let app: string;
      // Explicit ids make tie-breaking (by id, ascending) predictable.
      const people: { id: string; data: JsonObject }[] = [
        { id: 'p3', data: userData('carol', { displayName: 'b', externalId: 'same' }) },
        { id: 'p1', data: userData('Alice', { displayName: 'C' }) },
        { id: 'p5', data: userData('dave', { externalId: 'same' }) },
        { id: 'p2', data: userData('bob', { displayName: 'a', externalId: 'z' }) },
        { id: 'p4', data: userData('Eve', { externalId: 'same' }) },
        { id: 'p0', data: userData('frank', { displayName: 'b' }) },
        { id: 'p6', data: userData('gina') },
      ];
      beforeEach(async () => {
        app = newApp();
        for (const p of people) {
          await store.create(app, 'User', p);
          await nextMillisecond();
        }
      });
      const order = async (sort?: { field: StoreConditionField; descending: boolean }, extra = {}) =>
        ids((await store.query(app, 'User', { ...(sort ? { sort } : {}), ...extra })).records);

      it.each([
        { sort: undefined, expected: ['p3', 'p1', 'p5', 'p2', 'p4', 'p0', 'p6'] },
        { sort: { field: 'created', descending: true }, expected: ['p6', 'p0', 'p4', 'p2', 'p5', 'p1', 'p3'] },
        { sort: { field: 'userName', descending: false }, expected: ['p1', 'p2', 'p3', 'p5', 'p4', 'p0', 'p6'] },
        { sort: { field: 'userName', descending: true }, expected: ['p6', 'p0', 'p4', 'p5', 'p3', 'p2', 'p1'] },
        { sort: { field: 'displayName', descending: false }, expected: ['p2', 'p0', 'p3', 'p1', 'p4', 'p5', 'p6'] },
        { sort: { field: 'displayName', descending: true }, expected: ['p1', 'p0', 'p3', 'p2', 'p4', 'p5', 'p6'] },
        { sort: { field: 'externalId', descending: false }, expected: ['p3', 'p4', 'p5', 'p2', 'p0', 'p1', 'p6'] },
        { sort: { field: 'externalId', descending: true }, expected: ['p2', 'p3', 'p4', 'p5', 'p0', 'p1', 'p6'] },
        { sort: { field: 'id', descending: false }, expected: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'] },
        { sort: { field: 'id', descending: true }, expected: ['p6', 'p5', 'p4', 'p3', 'p2', 'p1', 'p0'] },
      ] as const)('sorts by $sort.field (descending: $sort.descending), absent last, ties by id', async ({ sort, expected }) => {
        expect(await order(sort)).toStrictEqual(expected);
      });

      it('pages with offset and limit, total counting every match', async () => {
        const sort = { field: 'userName', descending: false } as const;
        const full = await order(sort);
        const pages: string[] = [];
        for (let offset = 0; offset < 7; offset += 3) {
          const page = await store.query(app, 'User', { sort, offset, limit: 3 });
          expect(page.total).toBe(7);
          expect(page.records.length).toBe(Math.min(3, 7 - offset));
          pages.push(...ids(page.records));
        }
        expect(pages).toStrictEqual(full);
        expect(await store.query(app, 'User', { offset: 10, limit: 3 })).toStrictEqual({ total: 7, records: [] });
        expect(await store.query(app, 'User', { limit: 0 })).toStrictEqual({ total: 7, records: [] });
        expect(await order(sort, { offset: 5 })).toStrictEqual(full.slice(5));
        expect(await order(sort, { limit: 2 })).toStrictEqual(full.slice(0, 2));
        const filtered = await store.query(app, 'User', { condition: c.cmp('eq', 'externalId', 'same'), sort, offset: 1, limit: 1 });
        expect(filtered.total).toBe(3);
        expect(ids(filtered.records)).toStrictEqual(['p5']);
      });

      it('with countAll: false, pages by id answer the same records, total the length of each page', async () => {
        const sort = { field: 'id', descending: false } as const;
        const full = await order(sort);
        const walked: string[] = [];
        let after: string | undefined;
        for (;;) {
          const condition: StoreCondition | undefined = after === undefined ? undefined : c.cmp('gt', 'id', after);
          const page = await store.query(app, 'User', { ...(condition ? { condition } : {}), sort, limit: 3, countAll: false });
          expect(page.total).toBe(page.records.length);
          walked.push(...ids(page.records));
          if (page.records.length < 3) break;
          after = page.records.at(-1)!.id;
        }
        expect(walked).toStrictEqual(full);
        const groups = await store.query(app, 'Group', { limit: 2, countAll: false, withMembers: true });
        expect(groups.total).toBe(groups.records.length);
      });
    });

    describe('withMembers and groupsOf', () => {
      it('loads the members of every group on the page', async () => {
        const app = newApp();
        const [u1, u2, u3] = await Promise.all(['1', '2', '3'].map((n) => store.create(app, 'User', { data: userData(n) })));
        const g1 = await store.create(app, 'Group', { data: groupData('g1'), members: [member(u2!.id), member(u1!.id)] });
        await nextMillisecond();
        const g2 = await store.create(app, 'Group', { data: groupData('g2') });
        await nextMillisecond();
        const g3 = await store.create(app, 'Group', { data: groupData('g3'), members: [member(u3!.id), member(g1.id, { type: 'Group' })] });

        const all = await store.query(app, 'Group', { withMembers: true });
        expect(all.records.map((r) => [r.id, r.members])).toStrictEqual([
          [g1.id, [member(u2!.id), member(u1!.id)]],
          [g2.id, []],
          [g3.id, [member(u3!.id), member(g1.id, { type: 'Group' })]],
        ]);
        const page = await store.query(app, 'Group', { withMembers: true, offset: 2, limit: 5 });
        expect(page.records.map((r) => r.members)).toStrictEqual([[member(u3!.id), member(g1.id, { type: 'Group' })]]);
        expect((await store.query(app, 'Group', {})).records.every((r) => r.members === undefined)).toBe(true);
        expect((await store.query(app, 'User', { withMembers: true })).records.every((r) => r.members === undefined)).toBe(true);
      });

      it('answers groupsOf for more than a thousand ids in one call, direct membership only', async () => {
        const app = newApp();
        const users: ResourceRecord[] = [];
        for (let i = 0; i < 1200; i++) users.push(await store.create(app, 'User', { data: userData(`user${i}`) }));
        const all = await store.create(app, 'Group', { data: groupData('All Staff'), members: users.map((u) => member(u.id)) });
        const even = await store.create(app, 'Group', {
          data: groupData('Even Ones'),
          members: users.filter((_, i) => i % 2 === 0).map((u) => member(u.id)),
        });
        const outer = await store.create(app, 'Group', { data: groupData('ÜBER Group'), members: [member(all.id), member(users[1]!.id)] });
        await store.create(newApp(), 'Group', { data: groupData('Elsewhere') });

        const asked = [...users.map((u) => u.id), all.id, 'unknown-id'];
        const result = await store.groupsOf(app, asked);
        expect(result.size).toBe(asked.length);
        users.forEach((u, i) => {
          const expected = [{ value: all.id, display: 'All Staff' }];
          if (i % 2 === 0) expected.push({ value: even.id, display: 'Even Ones' });
          if (i === 1) expected.push({ value: outer.id, display: 'ÜBER Group' });
          const got = [...(result.get(u.id) ?? [])].sort((x, y) => (x.value < y.value ? -1 : 1));
          expect(got).toStrictEqual(expected.sort((x, y) => (x.value < y.value ? -1 : 1)));
        });
        expect(result.get(all.id)).toStrictEqual([{ value: outer.id, display: 'ÜBER Group' }]);
        expect(result.get('unknown-id')).toStrictEqual([]);
        const elsewhere = await store.groupsOf(newApp(), [users[0]!.id]);
        expect(elsewhere.get(users[0]!.id) ?? []).toStrictEqual([]);
        expect((await store.groupsOf(app, [])).size).toBe(0);
      });
    });

    describe('audit', () => {
      it('appends and reads newest first, per app', async () => {
        const [app, other] = [newApp(), newApp()];
        const before = new Date().toISOString();
        await store.appendAudit({ app, action: 'create', resourceType: 'User', resourceId: 'u1', status: 201, durationMs: 12.5, requestId: 'r1' });
        await store.appendAudit({ app: other, action: 'delete', resourceType: 'Group', status: 204 });
        await store.appendAudit({ app, action: 'replace', resourceType: 'Group', resourceId: 'g1', status: 409, detail: 'uniqueness' });
        await store.appendAudit({ app, action: 'delete', resourceType: 'User', status: 404 });

        const records = await store.readAudit(app, 10);
        expect(records.map(({ seq: _s, at: _a, ...rest }) => rest)).toEqual([
          { app, action: 'delete', resourceType: 'User', status: 404 },
          { app, action: 'replace', resourceType: 'Group', resourceId: 'g1', status: 409, detail: 'uniqueness' },
          { app, action: 'create', resourceType: 'User', resourceId: 'u1', status: 201, durationMs: 12.5, requestId: 'r1' },
        ]);
        for (const r of records) {
          expect(r.at).toMatch(ISO_MS);
          expect(r.at >= before).toBe(true);
        }
        expect(records[0]!.seq > records[1]!.seq && records[1]!.seq > records[2]!.seq).toBe(true);
        expect((await store.readAudit(app, 2)).map((r) => r.action)).toStrictEqual(['delete', 'replace']);
        expect(await store.readAudit(app, 0)).toStrictEqual([]);
        expect((await store.readAudit(other, 10)).map((r) => [r.app, r.action])).toStrictEqual([[other, 'delete']]);
        expect(await store.readAudit(newApp(), 10)).toStrictEqual([]);
      });

      it("keeps a resource's timeline, found by its name at the time or its id, with its requests' native calls, after it is gone", async () => {
        const [app, other] = [newApp(), newApp()];
        const entry = (action: string, fields: Partial<AuditEntry>): AuditEntry => ({ app, action, resourceType: 'User', status: 200, ...fields });
        // The native calls of a create come before the create's own row, which only then has the id.
        await store.appendAudit(entry('native users.create', { requestId: 'r1', resourceName: 'Ada@Acme.example', outcome: 'ok' }));
        await store.appendAudit(entry('create', { requestId: 'r1', resourceId: 'u1', resourceName: 'Ada@Acme.example', nativeId: '7', status: 201, outcome: 'ok' }));
        await store.appendAudit(entry('create', { requestId: 'r2', resourceId: 'u2', resourceName: 'grace@acme.example', status: 201 }));
        await new Promise((resolve) => setTimeout(resolve, 5)); // `since` below falls between the creates and the patch
        // A patch that renamed her, its failed native call (no name, no id: found by its request), a call
        // of the same request about somebody else; a delete that names only the id.
        await store.appendAudit(entry('patch', { requestId: 'r3', resourceId: 'u1', resourceName: 'ada.l@acme.example', nativeId: '7' }));
        await store.appendAudit(entry('native users.update', { requestId: 'r3', nativeId: '7', outcome: 'error', status: 500 }));
        await store.appendAudit(entry('native users.update', { requestId: 'r3', resourceId: 'u2', outcome: 'ok' }));
        await store.appendAudit(entry('delete', { requestId: 'r4', resourceId: 'u1', status: 204 }));
        await store.appendAudit({ ...entry('create', { requestId: 'r1', resourceId: 'u1', resourceName: 'ada@acme.example' }), app: other });

        const actions = (records: AuditRecord[]) => records.map((r) => `${r.requestId} ${r.action}`);
        const byName = await store.auditTimeline(app, { name: 'ADA@acme.EXAMPLE', limit: 100 });
        expect(actions(byName)).toStrictEqual(['r1 native users.create', 'r1 create', 'r3 patch', 'r3 native users.update', 'r4 delete']);
        expect(byName[1]).toMatchObject({ resourceName: 'Ada@Acme.example', nativeId: '7', outcome: 'ok', resourceId: 'u1' });
        expect(byName[0]!.seq < byName[1]!.seq).toBe(true);
        expect(actions(await store.auditTimeline(app, { resourceId: 'u1', limit: 100 }))).toStrictEqual(actions(byName));
        expect(actions(await store.auditTimeline(app, { name: 'ada@acme.example', limit: 2 }))).toStrictEqual(['r3 native users.update', 'r4 delete']);
        const later = (await store.readAudit(app, 10)).find((r) => r.action === 'patch')!.at;
        expect(actions(await store.auditTimeline(app, { name: 'ada@acme.example', since: later, limit: 100 }))).toStrictEqual(['r3 patch', 'r3 native users.update', 'r4 delete']);
        expect(await store.auditTimeline(app, { name: 'nobody@acme.example', limit: 100 })).toStrictEqual([]);
        expect(actions(await store.auditTimeline(other, { name: 'ada@acme.example', limit: 100 }))).toStrictEqual(['r1 create']);
      });
    });

    describe('apps are isolated', () => {
      it('keeps the same id apart in two apps through every operation', async () => {
        const [a, b] = [newApp(), newApp()];
        const ua = await store.create(a, 'User', { id: 'shared', data: userData('same@x', { externalId: 'A' }) });
        const ub = await store.create(b, 'User', { id: 'shared', data: userData('same@x', { externalId: 'B' }) });
        const ga = await store.create(a, 'Group', { data: groupData('G'), members: [member('shared')] });

        expect((await store.get(b, 'User', 'shared'))?.data['externalId']).toBe('B');
        await store.replace(a, 'User', 'shared', { data: userData('same@x', { externalId: 'A2' }) });
        expect(await store.get(b, 'User', 'shared')).toStrictEqual(ub);
        expect(ids((await store.query(b, 'User', { condition: c.cmp('eq', 'externalId', 'A2') })).records)).toStrictEqual([]);
        expect((await store.query(b, 'Group', {})).total).toBe(0);
        expect((await store.groupsOf(b, ['shared'])).get('shared')).toStrictEqual([]);
        expect((await store.groupsOf(a, ['shared'])).get('shared')).toStrictEqual([{ value: ga.id, display: 'G' }]);
        expect((await storeError(store.replace(b, 'Group', ga.id, { data: groupData('x') }))).code).toBe('not_found');

        expect(await store.delete(b, 'User', 'shared')).toBe(true);
        expect((await store.get(a, 'User', 'shared'))?.version).toBe(2);
        expect(await store.get(a, 'Group', ga.id, { withMembers: true })).toMatchObject({ version: 1, members: [member(ua.id)] });
      });
    });

    describeLinksContract(() => store, newApp);
    describeClaimsContract(() => store, newApp);

    describe('lifecycle', () => {
      it('migrates idempotently, keeping the data', async () => {
        const app = newApp();
        const made = await store.create(app, 'User', { data: userData('a') });
        await store.migrate();
        await store.migrate();
        expect(await store.get(app, 'User', made.id)).toStrictEqual(made);
      });

      it('fails clearly after close, and closing twice is harmless', async () => {
        await store.close();
        await expect(store.get(newApp(), 'User', 'x')).rejects.toThrow(/closed/i);
        await expect(store.create(newApp(), 'User', { data: userData('a') })).rejects.toThrow(/closed/i);
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}

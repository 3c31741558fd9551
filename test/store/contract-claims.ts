/**
 * Part of the store contract: claims, the write path's hold on keys across every process on one database
 * (reserve → act → commit with the claim, or release). Leases are short here; the waits that let them
 * lapse are generous multiples, never assertions about speed.
 */
import { describe, expect, it } from 'vitest';
import { storeErrorCode } from './store-error.js';
import { StoreError, type JsonObject, type MemberRecord, type Store } from '../../src/store/types.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const user = (userName: string): JsonObject => ({ schemas: [USER], userName });
const group = (displayName: string): JsonObject => ({ schemas: [GROUP], displayName });
const LEASE = 60_000;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function describeClaimsContract(store: () => Store, newApp: () => string): void {
  describe('claims', () => {
    it('a create claim holds the id and the folded userName until its write commits it', async () => {
      const app = newApp();
      const claim = await store().reserve(app, 'User', { purpose: 'create', data: user('Ada@x'), leaseMs: LEASE });
      expect(claim).toMatchObject({ app, type: 'User' });
      expect(typeof claim.id).toBe('string');
      expect(claim.version).toBeUndefined();
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'create', data: user('ada@X'), leaseMs: LEASE }))).toBe('claimed:userName');
      // Invisible to reads, and to another app.
      expect((await store().query(app, 'User', { condition: { op: 'eq', field: 'userName', value: 'ada@x' } })).total).toBe(0);
      expect(await store().get(app, 'User', claim.id)).toBeNull();
      await store().release(await store().reserve(newApp(), 'User', { purpose: 'create', data: user('ada@x'), leaseMs: LEASE }));

      const made = await store().create(app, 'User', { data: user('Ada@x'), nativeId: 'n-1' }, { claim });
      expect(made.id).toBe(claim.id);
      expect(made.nativeId).toBe('n-1');
      // The claim went with the write: a new claim now meets the stored user, not a claim.
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'create', data: user('ADA@x'), leaseMs: LEASE }))).toBe('conflict:userName');
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'create', id: made.id, data: user('other'), leaseMs: LEASE }))).toBe('conflict:id');
    });

    it('a released claim frees its keys, cannot commit, and releasing twice is fine', async () => {
      const app = newApp();
      const claim = await store().reserve(app, 'User', { purpose: 'create', data: user('bob'), leaseMs: LEASE });
      await store().release(claim);
      await store().release(claim);
      expect(await storeErrorCode(store().create(app, 'User', { data: user('bob') }, { claim }))).toBe('claim_lost:');
      expect((await store().query(app, 'User', {})).total).toBe(0);
      const next = await store().reserve(app, 'User', { purpose: 'create', data: user('bob'), leaseMs: LEASE });
      expect((await store().create(app, 'User', { data: user('bob') }, { claim: next })).id).toBe(next.id);
    });

    it('a lapsed claim is taken over whole by the next reserve, and its holder can no longer commit', async () => {
      const app = newApp();
      const stale = await store().reserve(app, 'User', { purpose: 'create', data: user('carol'), leaseMs: 20 });
      await sleep(150);
      const fresh = await store().reserve(app, 'User', { purpose: 'create', data: user('carol'), leaseMs: LEASE });
      expect(await storeErrorCode(store().create(app, 'User', { data: user('carol') }, { claim: stale }))).toBe('claim_lost:');
      await store().create(app, 'User', { data: user('carol') }, { claim: fresh });
      // The stale claim's other key (its id) went with it: that id can be claimed again.
      await store().release(await store().reserve(app, 'User', { purpose: 'create', id: stale.id, data: user('dave'), leaseMs: LEASE }));
      expect((await store().query(app, 'User', {})).total).toBe(1);
    });

    it('of many concurrent claims on one userName exactly one wins', async () => {
      const app = newApp();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => store().reserve(app, 'User', { purpose: 'create', data: user(i % 2 ? 'Eve' : 'eve'), leaseMs: LEASE })),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as StoreError).code).toBe('claimed');
    });

    it('an update claim needs the resource, carries its version and holds it against other claims', async () => {
      const app = newApp();
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'update', id: 'missing', leaseMs: LEASE }))).toBe('not_found:');
      const made = await store().create(app, 'User', { data: user('fay') });
      await store().replace(app, 'User', made.id, { data: user('fay') });
      const claim = await store().reserve(app, 'User', { purpose: 'update', id: made.id, data: user('fay'), leaseMs: LEASE });
      expect(claim).toMatchObject({ id: made.id, version: 2 });
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'delete', id: made.id, leaseMs: LEASE }))).toBe('claimed:id');
      const replaced = await store().replace(app, 'User', made.id, { data: user('fay2') }, { claim, ifVersion: claim.version! });
      expect(replaced.version).toBe(3);
      await store().release(await store().reserve(app, 'User', { purpose: 'delete', id: made.id, leaseMs: LEASE }));
    });

    it('an update claim on a new userName meets the user that has it, and a create claim on it', async () => {
      const app = newApp();
      const a = await store().create(app, 'User', { data: user('gil') });
      await store().create(app, 'User', { data: user('hal') });
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'update', id: a.id, data: user('HAL'), leaseMs: LEASE }))).toBe('conflict:userName');
      const pending = await store().reserve(app, 'User', { purpose: 'create', data: user('ivy'), leaseMs: LEASE });
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'update', id: a.id, data: user('Ivy'), leaseMs: LEASE }))).toBe('claimed:userName');
      await store().release(pending);
      const rename = await store().reserve(app, 'User', { purpose: 'update', id: a.id, data: user('Ivy'), leaseMs: LEASE });
      expect((await store().replace(app, 'User', a.id, { data: user('Ivy') }, { claim: rename })).data['userName']).toBe('Ivy');
    });

    it('a delete under a claim removes the resource and the claim', async () => {
      const app = newApp();
      const made = await store().create(app, 'User', { data: user('jo') });
      const claim = await store().reserve(app, 'User', { purpose: 'delete', id: made.id, leaseMs: LEASE });
      expect(await store().delete(app, 'User', made.id, { claim })).toBe(true);
      expect(await store().get(app, 'User', made.id)).toBeNull();
      expect(await storeErrorCode(store().reserve(app, 'User', { purpose: 'update', id: made.id, leaseMs: LEASE }))).toBe('not_found:');
    });

    it('a write under a claim that fails keeps the claim, and writes nothing', async () => {
      const app = newApp();
      const claim = await store().reserve(app, 'Group', { purpose: 'create', data: group('Ops'), uniqueGroupDisplayName: true, leaseMs: LEASE });
      const ghost: MemberRecord = { value: 'no-such-user', raw: { value: 'no-such-user' } };
      expect(await storeErrorCode(store().create(app, 'Group', { data: group('Ops'), members: [ghost] }, { claim, uniqueGroupDisplayName: true }))).toBe(
        'missing_members:',
      );
      expect((await store().query(app, 'Group', {})).total).toBe(0);
      expect(
        await storeErrorCode(store().reserve(app, 'Group', { purpose: 'create', data: group('OPS'), uniqueGroupDisplayName: true, leaseMs: LEASE })),
      ).toBe('claimed:displayName');
      const made = await store().create(app, 'Group', { data: group('Ops') }, { claim, uniqueGroupDisplayName: true });
      expect(made.id).toBe(claim.id);
    });

    it('a group displayName is a claimed key only where group names are unique', async () => {
      const app = newApp();
      const first = await store().reserve(app, 'Group', { purpose: 'create', data: group('Sales'), leaseMs: LEASE });
      const second = await store().reserve(app, 'Group', { purpose: 'create', data: group('sales'), leaseMs: LEASE });
      expect(first.id).not.toBe(second.id);
      await store().release(first);
      await store().release(second);
    });

    it('a create under a claim carries its audit row in the same commit', async () => {
      const app = newApp();
      const claim = await store().reserve(app, 'User', { purpose: 'create', data: user('kim'), leaseMs: LEASE });
      await store().create(app, 'User', { data: user('kim') }, { claim, audit: { app, action: 'create', resourceType: 'User', status: 201 } });
      const [row] = await store().readAudit(app, 5);
      expect(row).toMatchObject({ action: 'create', resourceId: claim.id, status: 201 });
    });
  });

  describe('lookup claims and their notes (a negative native search serves the create that follows)', () => {
    const lookup = (app: string, userName: string, leaseMs = LEASE) => store().reserve(app, 'User', { purpose: 'lookup', data: user(userName), leaseMs });
    const create = (app: string, userName: string) => store().reserve(app, 'User', { purpose: 'create', data: user(userName), leaseMs: LEASE });
    const note = { value: 'Eve@X', at: '2026-12-01T22:00:00.000Z' };

    it('a parked lookup claim hands its note to the create that takes it over, once', async () => {
      const app = newApp();
      const parked = await lookup(app, 'Eve@x');
      expect(parked.note).toBeUndefined();
      expect(await store().park(parked, note, LEASE)).toBe(true);
      const taker = await create(app, 'EVE@x');
      expect(taker.note).toStrictEqual(note);
      // Taken over whole: the lookup can neither park nor commit any more, and the note went with it.
      expect(await store().park(parked, note, LEASE)).toBe(false);
      expect(await storeErrorCode(store().create(app, 'User', { data: user('Eve@x') }, { claim: parked }))).toBe('claim_lost:');
      await store().release(taker);
      expect((await create(app, 'eve@x')).note).toBeUndefined();
    });

    it('never across a released claim, a lapsed one, or one taken over by another kind of write', async () => {
      const app = newApp();
      const released = await lookup(app, 'fay');
      await store().park(released, note, LEASE);
      await store().release(released);
      const first = await create(app, 'fay');
      expect(first.note).toBeUndefined();
      await store().release(first);

      const lapsing = await lookup(app, 'gus');
      await store().park(lapsing, note, 20);
      await sleep(150);
      const second = await create(app, 'gus');
      expect(second.note).toBeUndefined();
      await store().release(second);

      // A rename of a stored user to the name takes the parked claim over; the note dies with it.
      const other = await store().create(app, 'User', { data: user('hal-old') });
      const renamed = await lookup(app, 'hal');
      await store().park(renamed, note, LEASE);
      const update = await store().reserve(app, 'User', { purpose: 'update', id: other.id, data: user('hal'), leaseMs: LEASE });
      expect(update.note).toBeUndefined();
      await store().release(update);
      expect((await create(app, 'hal')).note).toBeUndefined();
    });

    it('a lookup claim yields: a create or an update never waits for it or fails on it', async () => {
      const app = newApp();
      const searching = await lookup(app, 'ida');
      // Not parked yet (its search is in flight): the create takes it over and inherits nothing.
      const taker = await create(app, 'IDA');
      expect(taker.note).toBeUndefined();
      expect(await store().park(searching, note, LEASE)).toBe(false);
      // A lookup meets a write's claim as any claim does, and a stored user as a create does.
      expect(await storeErrorCode(lookup(app, 'ida'))).toBe('claimed:userName');
      await store().create(app, 'User', { data: user('ida') }, { claim: taker });
      expect(await storeErrorCode(lookup(app, 'Ida'))).toBe('conflict:userName');
    });

    it('a park clears the app\'s lapsed lookup claims: their holders can no longer commit', async () => {
      const app = newApp();
      const lapsed = await lookup(app, 'lee', 20);
      const written = await store().reserve(app, 'User', { purpose: 'create', data: user('max'), leaseMs: 20 });
      await sleep(150);
      await store().park(await lookup(app, 'ned'), note, LEASE);
      expect(await storeErrorCode(store().create(app, 'User', { data: user('lee') }, { claim: lapsed }))).toBe('claim_lost:');
      // A write's lapsed claim stays until a reserve of its keys takes it over, as before.
      expect((await store().create(app, 'User', { data: user('max') }, { claim: written })).id).toBe(written.id);
    });

    it('only a lookup claim can be parked: a write\'s claim stays a write\'s claim', async () => {
      const app = newApp();
      const write = await create(app, 'kai');
      expect(await store().park(write, note, LEASE)).toBe(false);
      expect(await storeErrorCode(create(app, 'kai'))).toBe('claimed:userName');
      await store().release(write);
    });

    it('a lookup claim that found a record commits its adoption like a create claim', async () => {
      const app = newApp();
      const claim = await lookup(app, 'jan');
      const made = await store().create(app, 'User', { data: user('jan'), nativeId: 'n-jan' }, { claim });
      expect(made.id).toBe(claim.id);
      expect(await storeErrorCode(create(app, 'jan'))).toBe('conflict:userName');
    });
  });

  describe('nativeIdsOf and ping', () => {
    it('maps many SCIM ids to native ids in one call, leaving out unknown and unlinked ids and other types', async () => {
      const app = newApp();
      const a = await store().create(app, 'User', { data: user('a'), nativeId: '7' });
      const b = await store().create(app, 'User', { data: user('b') });
      const g = await store().create(app, 'Group', { data: group('g'), nativeId: '7' });
      const found = await store().nativeIdsOf(app, 'User', [a.id, b.id, g.id, 'nope']);
      expect([...found.entries()]).toStrictEqual([[a.id, '7']]);
      expect((await store().nativeIdsOf(app, 'User', [])).size).toBe(0);
      expect([...(await store().nativeIdsOf(app, 'Group', [g.id])).entries()]).toStrictEqual([[g.id, '7']]);
    });

    it('ping answers on a migrated store', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}

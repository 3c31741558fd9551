/**
 * Claims across processes: two stores with a pool each stand for two replicas on one database. Leases
 * are lapsed with leaseMs 0 (the claim is born expired on the database's clock), never with waits.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storeErrorCode } from './store-error.js';
import { openStore } from '../../src/store/index.js';
import { StoreError, type AuditEntry, type JsonObject, type Store } from '../../src/store/types.js';
import { createTestSchema, withAdminClient, type TestSchema } from '../support/postgres.js';

const user = (userName: string): JsonObject => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
const LEASE = 60_000;

let db: TestSchema;
let a: Store;
let b: Store;
let app: string;
beforeAll(async () => {
  db = await createTestSchema();
});
afterAll(() => db.drop());
beforeEach(async () => {
  const open = () => openStore({ kind: 'postgres', url: db.url, schema: db.schema, poolSize: 4 });
  [a, b] = await Promise.all([open(), open()]);
  app = `app-${randomUUID()}`;
});
afterEach(() => Promise.all([a.close(), b.close()]));


const claimRows = () =>
  withAdminClient(async (c) => (await c.query<{ key: string }>(`SELECT key FROM "${db.schema}".claims WHERE app = $1 ORDER BY key`, [app])).rows.map((r) => r.key));

describe('PostgreSQL claims across two stores', () => {
  it('of two concurrent reserves of one userName on two stores exactly one wins, round after round', async () => {
    for (let round = 0; round < 20; round++) {
      const outcomes = await Promise.allSettled([
        a.reserve(app, 'User', { purpose: 'create', data: user(`Name${round}`), leaseMs: LEASE }),
        b.reserve(app, 'User', { purpose: 'create', data: user(`name${round}`), leaseMs: LEASE }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected');
      expect(lost?.reason).toMatchObject({ code: 'claimed', details: { field: 'userName' } });
    }
  });

  it('two stores that reserve and commit one userName at once: a granted claim always commits, the other reserve is refused', async () => {
    // A reserve must see a user committed while it waited on that user's claim: a claim granted on a
    // stale check would let the native work run and only fail at the commit.
    const attempt = async (store: Store, userName: string) => {
      const claim = await store.reserve(app, 'User', { purpose: 'create', data: user(userName), leaseMs: LEASE });
      return store.create(app, 'User', { data: user(userName) }, { claim }).catch((e: unknown) => {
        throw new Error(`the commit of a granted claim failed: ${String(e)}`);
      });
    };
    for (let round = 0; round < 30; round++) {
      const outcomes = await Promise.allSettled([attempt(a, `Race${round}`), attempt(b, `RACE${round}`)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected');
      expect(lost?.reason).toBeInstanceOf(StoreError);
      expect(['claimed', 'conflict']).toContain((lost?.reason as StoreError).code);
      const found = await a.query(app, 'User', { condition: { op: 'eq', field: 'userName', value: `race${round}` } });
      expect(found.total).toBe(1);
    }
    expect(await claimRows()).toStrictEqual([]);
  });

  it('a lapsed claim is taken over whole by the other store; its holder then cannot commit', async () => {
    const stale = await a.reserve(app, 'User', { purpose: 'create', data: user('carol'), leaseMs: 0 });
    const fresh = await b.reserve(app, 'User', { purpose: 'create', data: user('Carol'), leaseMs: LEASE });
    expect(await claimRows()).toStrictEqual([`id:${fresh.id}`, 'User:userName:carol'].sort());
    expect(await storeErrorCode(a.create(app, 'User', { data: user('carol') }, { claim: stale, audit: audit('create') }))).toBe('claim_lost:');
    // Releasing the stale claim does not touch the new holder's rows.
    await a.release(stale);
    expect(await storeErrorCode(a.reserve(app, 'User', { purpose: 'create', data: user('CAROL'), leaseMs: LEASE }))).toBe('claimed:userName');
    await b.create(app, 'User', { data: user('Carol') }, { claim: fresh });
    expect((await a.query(app, 'User', {})).records.map((r) => r.id)).toStrictEqual([fresh.id]);
    // The failed commit wrote neither its resource nor its audit row.
    expect(await a.readAudit(app, 10)).toStrictEqual([]);
  });

  it('a live claim is not taken over, whatever the other store asks', async () => {
    const held = await a.reserve(app, 'User', { purpose: 'create', id: 'fixed', data: user('dan'), leaseMs: LEASE });
    expect(await storeErrorCode(b.reserve(app, 'User', { purpose: 'create', data: user('DAN'), leaseMs: 0 }))).toBe('claimed:userName');
    expect(await storeErrorCode(b.reserve(app, 'Group', { purpose: 'create', id: 'fixed', leaseMs: LEASE }))).toBe('claimed:id');
    expect(await claimRows()).toStrictEqual(['User:userName:dan', 'id:fixed'].sort());
    await a.release(held);
  });

  it('an update claim carries the version it saw; the commit checks it when asked and ends the claim', async () => {
    const made = await a.create(app, 'User', { data: user('eve') });
    await b.replace(app, 'User', made.id, { data: user('eve'), nativeId: 'n1' });
    const claim = await a.reserve(app, 'User', { purpose: 'update', id: made.id, data: user('eve2'), leaseMs: LEASE });
    expect(claim.version).toBe(2);
    // A write that does not go through claims changes the resource meanwhile.
    await b.replace(app, 'User', made.id, { data: user('eve') });
    expect(await storeErrorCode(a.replace(app, 'User', made.id, { data: user('eve2') }, { claim, ifVersion: claim.version! }))).toBe('version_mismatch:');
    // The failed write kept the claim.
    expect(await storeErrorCode(b.reserve(app, 'User', { purpose: 'delete', id: made.id, leaseMs: LEASE }))).toBe('claimed:id');
    const replaced = await a.replace(app, 'User', made.id, { data: user('eve2') }, { claim, ifVersion: 3 });
    expect(replaced).toMatchObject({ version: 4, nativeId: 'n1' });
    expect(await claimRows()).toStrictEqual([]);
  });

  it('release is idempotent, on any store', async () => {
    const claim = await a.reserve(app, 'User', { purpose: 'create', data: user('fay'), leaseMs: LEASE });
    await a.release(claim);
    await b.release(claim);
    await a.release(claim);
    expect(await claimRows()).toStrictEqual([]);
    expect(await storeErrorCode(b.create(app, 'User', { data: user('fay') }, { claim }))).toBe('claim_lost:');
  });

  it('a commit under a claim is atomic with its audit row and the claim going', async () => {
    const claim = await a.reserve(app, 'Group', { purpose: 'create', data: { displayName: 'Ops' }, uniqueGroupDisplayName: true, leaseMs: LEASE });
    const ghost = { value: 'ghost', raw: { value: 'ghost' } };
    const options = { claim, uniqueGroupDisplayName: true, audit: { ...audit('create'), resourceType: 'Group' as const } };
    expect(await storeErrorCode(b.create(app, 'Group', { data: { displayName: 'Ops' }, members: [ghost] }, options))).toBe('missing_members:');
    expect(await b.readAudit(app, 10)).toStrictEqual([]);
    expect(await claimRows()).toStrictEqual([`id:${claim.id}`, 'Group:displayName:ops'].sort());
    const made = await b.create(app, 'Group', { data: { displayName: 'Ops' } }, options);
    expect(made.id).toBe(claim.id);
    expect((await a.readAudit(app, 10)).map((r) => [r.action, r.resourceId])).toStrictEqual([['create', claim.id]]);
    expect(await claimRows()).toStrictEqual([]);
  });

  it('a delete claim needs the resource, and takes its version', async () => {
    expect(await storeErrorCode(a.reserve(app, 'User', { purpose: 'delete', id: 'nope', leaseMs: LEASE }))).toBe('not_found:');
    const made = await a.create(app, 'User', { data: user('gus') });
    expect(await storeErrorCode(a.reserve(app, 'Group', { purpose: 'delete', id: made.id, leaseMs: LEASE }))).toBe('not_found:');
    const claim = await b.reserve(app, 'User', { purpose: 'delete', id: made.id, leaseMs: LEASE });
    expect(claim.version).toBe(1);
    expect(await a.delete(app, 'User', made.id, { claim, audit: audit('delete') })).toBe(true);
    expect(await a.readAudit(app, 10)).toHaveLength(1);
    expect(await claimRows()).toStrictEqual([]);
  });
});

function audit(action: string): AuditEntry {
  return { app, action, resourceType: 'User', status: 200 };
}

/**
 * The PostgreSQL store when the database fails: connections terminated under it, a server that does not
 * answer, a lock that is not released. Every call ends (with a result or StoreError 'unavailable'), none
 * leaves a transaction open, no message shows the URL, and the store recovers by itself.
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardPool } from '../../src/store/postgres/database.js';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/index.js';
import { StoreError, type JsonObject, type ResourceRecord } from '../../src/store/types.js';
import { createTestSchema, withAdminClient, type TestSchema } from '../support/postgres.js';

const user = (userName: string): JsonObject => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });

let db: TestSchema;
beforeAll(async () => {
  db = await createTestSchema();
});
afterAll(() => db.drop());

/** A migrated store whose connections carry a name of their own, so a test can find (and kill) exactly them. */
async function namedStore(extra: Partial<PostgresStoreOptions> = {}): Promise<{ store: PostgresStore; name: string }> {
  const name = `scim-bridge-test-${randomUUID()}`;
  const store = new PostgresStore({ url: db.url, schema: db.schema, poolSize: 4, applicationName: name, ...extra });
  await store.migrate();
  return { store, name };
}

/** Terminates every connection named `name`, waiting until each is gone. */
const terminate = (name: string) =>
  withAdminClient(async (c) => (await c.query('SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1', [name])).rowCount ?? 0);

const sessionStates = (name: string) =>
  withAdminClient(async (c) => (await c.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map((r) => r.state));

/** Resolves to the value, or to the StoreError; anything else fails the test. */
async function valueOrStoreError<T>(promise: Promise<T>): Promise<T | StoreError> {
  try {
    return await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
}

describe('PostgreSQL store under database failures', () => {
  it('answers a call on connections the server terminated while idle, on fresh ones', async () => {
    const { store, name } = await namedStore();
    const app = `app-${randomUUID()}`;
    // Fill the pool with idle connections, then have the server end every one of them.
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.create(app, 'User', { data: user(`u${i}`) })));
    expect(await terminate(name)).toBeGreaterThan(0);
    await expect(store.ping()).resolves.toBeUndefined();
    expect((await store.query(app, 'User', {})).total).toBe(8);
    await store.close();
  });

  it('connections terminated mid-use: every call ends with its result or unavailable, and the store recovers by itself', async () => {
    const { store, name } = await namedStore();
    const app = `app-${randomUUID()}`;
    for (let round = 0; round < 3; round++) {
      const calls = Array.from({ length: 30 }, (_, i) => valueOrStoreError(store.create(app, 'User', { data: user(`r${round}-${i}`) })));
      await terminate(name);
      const outcomes = await Promise.all(calls);
      for (const outcome of outcomes) {
        if (outcome instanceof StoreError) {
          expect(outcome.code).toBe('unavailable');
          expect(outcome.cause).toBeDefined();
        }
      }
      // Every acknowledged write is there.
      for (const made of outcomes.filter((o): o is ResourceRecord => !(o instanceof StoreError))) {
        expect(await store.get(app, 'User', made.id)).toStrictEqual(made);
      }
    }
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(store.create(app, 'User', { data: user('after') })).resolves.toMatchObject({ version: 1 });
    expect((await sessionStates(name)).filter((s) => s.startsWith('idle in transaction'))).toStrictEqual([]);
    await store.close();
  });

  it('a connection that breaks between the pool handing it out and the borrower listening does not end the process', async () => {
    // pg-pool stops listening for 'error' when it hands a connection out; the borrower's `await` resumes a
    // microtask later. A termination read in the same socket chunk as the connection's readiness lands
    // there. This replays that gap: the 'acquire' event queues the break ahead of the borrower.
    const unhandled: unknown[] = [];
    const onUncaught = (error: unknown) => unhandled.push(error);
    const pool = guardPool(new pg.Pool({ connectionString: db.url, max: 1 }));
    pool.on('acquire', (client) => queueMicrotask(() => client.emit('error', new Error('terminated in the gap'))));
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      client.release(new Error('broken'));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const listener of listeners) process.on('uncaughtException', listener);
      await pool.end();
    }
    expect(unhandled).toStrictEqual([]);
  });

  it('a server that does not answer is unavailable, and no message shows the URL or its password', async () => {
    const secret = `pw-${randomUUID()}`;
    // Port 1 on the loopback: nothing listens, the connection is refused at once.
    const store = new PostgresStore({ url: `postgres://postgres:${secret}@127.0.0.1:1/test`, schema: 'nowhere', poolSize: 2 });
    const calls = [() => store.ping(), () => store.migrate(), () => store.get('app', 'User', 'x'), () => store.create('app', 'User', { data: user('a') })];
    for (const call of calls) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'unavailable' });
      expect((err as StoreError).cause).toBeDefined();
      expect(inspect(err, { depth: 5 })).not.toContain(secret);
      expect(inspect(err, { depth: 5 })).not.toContain('127.0.0.1:1/test');
    }
    await store.close();
  });

  it('a lock held elsewhere ends the write with unavailable after the lock timeout, leaving no transaction open', async () => {
    const { store, name } = await namedStore({ poolSize: 1, timeouts: { lockMs: 100 } });
    const app = `app-${randomUUID()}`;
    const made = await store.create(app, 'User', { data: user('locked') });
    await withAdminClient(async (admin) => {
      await admin.query('BEGIN');
      await admin.query(`SELECT 1 FROM "${db.schema}".resources WHERE app = $1 AND id = $2 FOR UPDATE`, [app, made.id]);
      const err = await store.replace(app, 'User', made.id, { data: user('changed') }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'unavailable', cause: expect.objectContaining({ code: '55P03' }) });
      // Reads do not wait for row locks.
      expect(await store.get(app, 'User', made.id)).toStrictEqual(made);
      await admin.query('ROLLBACK');
    });
    expect((await store.replace(app, 'User', made.id, { data: user('changed') })).version).toBe(2);
    expect((await sessionStates(name)).filter((s) => s.startsWith('idle in transaction'))).toStrictEqual([]);
    await store.close();
  });

  it('a refused write rolls back and gives its connection back clean (one connection, used again at once)', async () => {
    const { store, name } = await namedStore({ poolSize: 1 });
    const app = `app-${randomUUID()}`;
    await store.create(app, 'User', { data: user('taken') });
    for (let i = 0; i < 3; i++) {
      await expect(store.create(app, 'User', { data: user('TAKEN') })).rejects.toMatchObject({ code: 'conflict' });
      await expect(store.create(app, 'Group', { data: { displayName: 'g' }, members: [{ value: 'ghost', raw: { value: 'ghost' } }] })).rejects.toMatchObject({
        code: 'missing_members',
      });
    }
    await store.create(app, 'User', { data: user('next') });
    expect(await sessionStates(name)).toStrictEqual(['idle']);
    await store.close();
  });

  it('treats U+0000, which PostgreSQL text cannot hold, as absent in ids and refuses it in indexed values', async () => {
    const { store } = await namedStore();
    const app = `app-${randomUUID()}`;
    const made = await store.create(app, 'User', { data: user('a'), nativeId: 'n' });
    expect(await store.get(app, 'User', `${made.id}\u0000`)).toBeNull();
    expect(await store.delete(app, 'User', '\u0000')).toBe(false);
    await expect(store.replace(app, 'User', '\u0000', { data: user('b') })).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.findByNativeId(app, 'User', 'n\u0000')).toBeNull();
    expect([...(await store.nativeIdsOf(app, 'User', [made.id, '\u0000'])).keys()]).toStrictEqual([made.id]);
    expect((await store.groupsOf(app, ['\u0000'])).get('\u0000')).toStrictEqual([]);
    await expect(store.query(app, 'User', { condition: { op: 'eq', field: 'id', value: '\u0000' } })).rejects.toMatchObject({ scimType: 'invalidFilter' });
    await expect(store.create(app, 'User', { data: user('a\u0000b') })).rejects.toThrow(TypeError);
    // Data keeps it: JSON text escapes it.
    const kept = await store.create(app, 'User', { data: { ...user('c'), note: 'x\u0000y' } });
    expect((await store.get(app, 'User', kept.id))?.data['note']).toBe('x\u0000y');
    await store.appendAudit({ app, action: 'create', resourceType: 'User', status: 400, detail: 'bad \u0000 value' });
    expect((await store.readAudit(app, 1))[0]?.detail).toBe('bad \uFFFD value');
    await store.close();
  });
});

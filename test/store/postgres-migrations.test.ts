import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { StoreError } from '../../src/store/types.js';
import { createTestSchema, testDatabaseUrl, withAdminClient, type TestSchema } from '../support/postgres.js';

const schemas: TestSchema[] = [];
afterAll(() => Promise.all(schemas.map((s) => s.drop())));

/** A schema name of this run that does not exist yet. */
async function freshSchema(): Promise<string> {
  const s = await createTestSchema({ create: false });
  schemas.push(s);
  return s.schema;
}

const store = (schema: string) => openPostgresStore({ url: testDatabaseUrl(), schema, poolSize: 2 });

const applied = (schema: string) =>
  withAdminClient(async (c) => (await c.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows.map((r) => r.version));

const tablesOf = (schema: string) =>
  withAdminClient(async (c) =>
    (await c.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema])).rows.map(
      (r) => r.table_name,
    ),
  );

const allVersions = Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1);

describe('PostgreSQL migrations', () => {
  it('create the missing schema and put every table in it', async () => {
    const schema = await freshSchema();
    const s = await openStore({ kind: 'postgres', url: testDatabaseUrl(), schema, poolSize: 2 });
    await s.create('app', 'User', { data: { userName: 'a' } });
    await s.close();
    expect(await tablesOf(schema)).toStrictEqual(['audit', 'claims', 'memberships', 'resources', 'schema_migrations']);
    expect(await applied(schema)).toStrictEqual(allVersions);
  });

  it('run once when several stores migrate one fresh schema at the same time', async () => {
    const schema = await freshSchema();
    const stores = Array.from({ length: 4 }, () => store(schema));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      expect(await applied(schema)).toStrictEqual(allVersions);
      // Each of them can use the schema at once.
      await Promise.all(stores.map((s, i) => s.create('app', 'User', { data: { userName: `u${i}` } })));
      expect((await stores[0]!.query('app', 'User', {})).total).toBe(4);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('are idempotent: a second run changes nothing', async () => {
    const schema = await freshSchema();
    const s = store(schema);
    await s.migrate();
    const made = await s.create('app', 'User', { data: { userName: 'a' } });
    await s.migrate();
    await store(schema).migrate();
    expect(await applied(schema)).toStrictEqual(allVersions);
    expect(await s.get('app', 'User', made.id)).toStrictEqual(made);
    await s.close();
  });

  it('refuse a database from a newer build and leave it untouched', async () => {
    const schema = await freshSchema();
    const first = store(schema);
    await first.migrate();
    await first.close();
    await withAdminClient((c) => c.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [SCHEMA_VERSION + 1]));
    const tables = await tablesOf(schema);
    await expect(openStore({ kind: 'postgres', url: testDatabaseUrl(), schema, poolSize: 2 })).rejects.toThrow(/newer/);
    expect(await applied(schema)).toStrictEqual([...allVersions, SCHEMA_VERSION + 1]);
    expect(await tablesOf(schema)).toStrictEqual(tables);
    // A store that did not migrate is refused too, and says so.
    const other = store(schema);
    await expect(other.get('app', 'User', 'x')).rejects.toThrow(/schema version/);
    await expect(other.ping()).rejects.toMatchObject({ code: 'unavailable' });
    await other.close();
  });

  it('are required before use, with a clear message; ping says unavailable until then', async () => {
    const schema = await freshSchema();
    const s = store(schema);
    await expect(s.get('app', 'User', 'x')).rejects.toThrow(/migrate/);
    const err = await s.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'unavailable' });
    await s.migrate();
    await expect(s.get('app', 'User', 'x')).resolves.toBeNull();
    await expect(s.ping()).resolves.toBeUndefined();
    await s.close();
  });

  it('a store checks its options at once, never echoing the URL', () => {
    const secret = `pw-${randomUUID()}`;
    expect(() => openPostgresStore({ url: testDatabaseUrl(), schema: 'Bad-Name', poolSize: 2 })).toThrow(TypeError);
    expect(() => openPostgresStore({ url: testDatabaseUrl(), schema: 'ok', poolSize: 0 })).toThrow(TypeError);
    for (const url of [`postgres://u:${secret}@[::1`, `mysql://u:${secret}@h/db`]) {
      let err: unknown;
      try {
        openPostgresStore({ url, schema: 'ok', poolSize: 1 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TypeError);
      expect(inspect(err)).not.toContain(secret);
    }
  });
});

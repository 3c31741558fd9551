/**
 * The PostgreSQL the tests use: SCIM_BRIDGE_TEST_DATABASE_URL, or the local server `.ci/run` starts.
 * Each test file works in schemas of its own (random names), dropped afterwards, so parallel runs and
 * reruns never meet.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function testDatabaseUrl(): string {
  return process.env['SCIM_BRIDGE_TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';
}

/** A schema name no other run uses: `t_` and 16 hex digits. */
export function newSchemaName(): string {
  return `t_${randomBytes(8).toString('hex')}`;
}

/** Runs `fn` on a connection of its own (not a store's), closed afterwards. */
export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(), application_name: 'scim-bridge-test-admin' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestSchema {
  schema: string;
  url: string;
  /** Drops the schema and everything in it; harmless when it is already gone. */
  drop(): Promise<void>;
}

/**
 * A fresh schema name and its cleanup. `create: false` leaves creating it to the code under test
 * (the PostgreSQL store creates a missing schema).
 */
export async function createTestSchema(options: { create?: boolean } = {}): Promise<TestSchema> {
  const schema = newSchemaName();
  if (options.create !== false) await withAdminClient((c) => c.query(`CREATE SCHEMA "${schema}"`));
  return {
    schema,
    url: testDatabaseUrl(),
    drop: () => withAdminClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined),
  };
}

/**
 * The budget tables, created when missing under an advisory lock (replicas starting together would
 * otherwise race on the catalog). UNLOGGED: budgets are short-lived counts, so they skip the write-ahead
 * log (and the commit's flush on every decision); a database crash empties them, which only restarts the
 * budgets from full.
 */
import type pg from 'pg';

export async function createBudgetTables(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  let failed: unknown;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`scim-bridge budgets ${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`
        CREATE UNLOGGED TABLE IF NOT EXISTS "${schema}".budget_native_starts (
          key text PRIMARY KEY,
          starts timestamptz[] NOT NULL,
          wait_ms integer NOT NULL
        )`);
      await client.query(`
        CREATE UNLOGGED TABLE IF NOT EXISTS "${schema}".budget_inbound_buckets (
          app text PRIMARY KEY,
          tokens double precision NOT NULL,
          at timestamptz NOT NULL,
          granted integer NOT NULL
        )`);
      await client.query(`
        CREATE UNLOGGED TABLE IF NOT EXISTS "${schema}".budget_auth_failures (
          address text PRIMARY KEY,
          failures integer NOT NULL,
          ends_at timestamptz NOT NULL
        )`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`scim-bridge budgets ${schema}`]);
    }
  } catch (err) {
    failed = err;
    throw err;
  } finally {
    // A connection that failed mid-way is destroyed, not handed to the next caller.
    client.release(failed instanceof Error ? failed : undefined);
  }
}

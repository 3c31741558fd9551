/**
 * The PostgreSQL schema, as numbered migrations recorded in `schema_migrations`. All pending migrations
 * run in one transaction under a transaction-level advisory lock keyed by the schema name: when several
 * replicas start at once, one applies them and the others wait on the lock, then find them applied. A
 * database whose schema is newer than this build is refused, not touched.
 *
 * The tables match the SQLite store's (sqlite/migrations.ts) column for column; differences:
 * - Every text column that is indexed or compared is `COLLATE "C"`: comparisons and sorting are by code
 *   point, as with SQLite's BINARY, whatever the database's default collation.
 * - `data` is `text` holding JSON exactly as JSON.stringify wrote it, not `jsonb`: jsonb reorders keys and
 *   cannot hold \u0000, and no query looks inside data.
 * - `claims` (the write path's holds, Store.reserve): one row per claimed key; the rows of one claim share
 *   its token and its lease, which is on the database's clock so replicas on different hosts agree.
 * - Unique indexes carry the names errors.ts maps back to fields. The primary key comes first, so an id
 *   that collides is reported before a userName that does, as on SQLite.
 */

import pg from 'pg';
import { clientConfig, quoteIdentifier, type DatabaseOptions } from './database.js';
import { isTransient, unavailable } from './errors.js';

interface Migration {
  version: number;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE resources (
        app text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL CHECK (type IN ('User', 'Group')),
        id text COLLATE "C" NOT NULL,
        user_name text COLLATE "C",
        display_name text COLLATE "C",
        display_name_raw text,
        external_id text COLLATE "C",
        unique_key text COLLATE "C",
        native_id text COLLATE "C",
        version integer NOT NULL CHECK (version >= 1),
        created text COLLATE "C" NOT NULL,
        last_modified text COLLATE "C" NOT NULL,
        data text NOT NULL,
        CONSTRAINT resources_pkey PRIMARY KEY (app, id)
      );
      CREATE UNIQUE INDEX resources_user_name ON resources (app, type, user_name);
      CREATE UNIQUE INDEX resources_unique_key ON resources (app, type, unique_key);
      CREATE UNIQUE INDEX resources_native_id ON resources (app, type, native_id);
      CREATE INDEX resources_external_id ON resources (app, type, external_id);
      CREATE INDEX resources_display_name ON resources (app, type, display_name);
      CREATE INDEX resources_created ON resources (app, type, created, id);
      CREATE INDEX resources_last_modified ON resources (app, type, last_modified);

      CREATE TABLE memberships (
        app text COLLATE "C" NOT NULL,
        group_id text COLLATE "C" NOT NULL,
        member_id text COLLATE "C" NOT NULL,
        position integer NOT NULL,
        raw text NOT NULL,
        PRIMARY KEY (app, group_id, member_id),
        FOREIGN KEY (app, group_id) REFERENCES resources (app, id) ON DELETE CASCADE,
        FOREIGN KEY (app, member_id) REFERENCES resources (app, id) ON DELETE CASCADE
      );
      CREATE INDEX memberships_member ON memberships (app, member_id);

      CREATE TABLE audit (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at text NOT NULL,
        app text COLLATE "C" NOT NULL,
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id text,
        status integer NOT NULL,
        detail text,
        request_id text,
        duration_ms double precision
      );
      CREATE INDEX audit_app_seq ON audit (app, seq);

      CREATE TABLE claims (
        app text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        token text COLLATE "C" NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (app, key)
      );
      CREATE INDEX claims_token ON claims (app, token);
    `,
  },
  {
    // Version 2: what an audit row is about (as SQLite's version 4), for Store.auditTimeline.
    version: 2,
    sql: `
      ALTER TABLE audit ADD COLUMN resource_name text, ADD COLUMN resource_key text COLLATE "C",
        ADD COLUMN native_id text, ADD COLUMN outcome text;
      CREATE INDEX audit_resource_key ON audit (app, resource_key);
      CREATE INDEX audit_resource_id ON audit (app, resource_id);
      CREATE INDEX audit_request_id ON audit (request_id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The first key of the two-key advisory lock: "scim" in ASCII, so other users of advisory locks can tell. */
const LOCK_CLASS = 0x7363696d;

/** How long a replica waits for another one's migration (and a migration may run). */
const MIGRATION_TIMEOUT_MS = 300_000;

/** Applies every pending migration on a connection of its own (the pool's timeouts are for requests). */
export async function runMigrations(options: DatabaseOptions): Promise<void> {
  const client = new pg.Client({
    ...clientConfig(options),
    statement_timeout: MIGRATION_TIMEOUT_MS,
    lock_timeout: MIGRATION_TIMEOUT_MS,
    query_timeout: MIGRATION_TIMEOUT_MS + options.timeouts.queryMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw unavailable('cannot connect to the database', error);
  }
  try {
    const encoding = await client.query<{ server_encoding: string }>('SHOW server_encoding');
    // Character counts (left, right, strpos) and code point order assume UTF-8.
    if (encoding.rows[0]?.server_encoding !== 'UTF8') {
      throw new Error(`the PostgreSQL store needs a UTF8 database, not ${encoding.rows[0]?.server_encoding ?? 'unknown'}`);
    }
    await client.query('BEGIN');
    try {
      await migrateLocked(client, options.schema);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } catch (error) {
    throw isTransient(error) ? unavailable('cannot migrate now', error) : error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function migrateLocked(client: pg.Client, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
  const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  // Only when missing: a schema made by an administrator needs no CREATE right on the database.
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  // The connection's search_path named the schema before it existed; say it again now that it does.
  await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
  const current = await appliedVersion(client);
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this build supports (${SCHEMA_VERSION})`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
  }
}

/** The newest applied migration, 0 on an empty schema_migrations. */
async function appliedVersion(db: { query: pg.Client['query'] }): Promise<number> {
  const result = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? 0;
}

/**
 * The SQLite schema, as numbered migrations. The applied number lives in `PRAGMA user_version` (part of
 * the database header, so it commits or rolls back with the migration that sets it). Each migration runs
 * in its own IMMEDIATE transaction, which also keeps two processes that start at once from both applying it.
 *
 * Tables (version 1):
 * - resources: one row per SCIM resource. `data` is the resource exactly as the client wrote it (JSON
 *   text); the other columns are derived from it on every write and exist only to be indexed:
 *   `user_name` (users) and `display_name` folded with foldCase, `display_name_raw` as written (for
 *   groupsOf), `external_id` exact. `unique_key` is the folded displayName of a group written with
 *   WriteOptions.uniqueGroupDisplayName, NULL otherwise (NULLs never collide). Ids are unique per app
 *   across both types (RFC 7643 §3.1: unique across the provider's resources), so `(app, id)` is the key
 *   memberships point at, and a member id names exactly one resource.
 * - memberships: group members in the order the client gave them (`position`), `raw` the member object
 *   as sent. Both ends cascade on delete.
 * - audit: append-only trail; `seq` AUTOINCREMENT so a number is never reused, even after deletes.
 * Version 2 adds the downstream id; version 3 the claims of the write path; version 4 what an audit row is about.
 */

import type Database from 'better-sqlite3';

/**
 * Fixed statistics for the query planner. Without any, SQLite takes (app, type) for a selective prefix:
 * it would walk the created index rather than look an externalId up, and scan an app's memberships to
 * cascade a delete. Statistics measured on a small new database would mislead it the same way once the
 * tables grow, so the store ships figures that describe the shape of this data at any size (many rows
 * per app and type; user_name, external_id, created near-unique) and never runs ANALYZE itself.
 * `ANALYZE sqlite_schema` makes SQLite load them.
 */
const PLANNER_STATISTICS = `
  ANALYZE;
  DELETE FROM sqlite_stat1;
  INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('resources', 'sqlite_autoindex_resources_1', '100000 10000 1'),
    ('resources', 'resources_user_name', '100000 10000 5000 1'),
    ('resources', 'resources_unique_key', '100000 10000 5000 1'),
    ('resources', 'resources_external_id', '100000 10000 5000 1'),
    ('resources', 'resources_display_name', '100000 10000 5000 2'),
    ('resources', 'resources_created', '100000 10000 5000 1 1'),
    ('resources', 'resources_last_modified', '100000 10000 5000 1'),
    ('memberships', 'memberships', '200000 20000 50 1'),
    ('memberships', 'memberships_member', '200000 20000 3 1'),
    ('audit', 'audit_app_seq', '100000 10000 1');
  ANALYZE sqlite_schema;
`;

interface Migration {
  version: number;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE resources (
        app TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('User', 'Group')),
        id TEXT NOT NULL,
        user_name TEXT,
        display_name TEXT,
        display_name_raw TEXT,
        external_id TEXT,
        unique_key TEXT,
        version INTEGER NOT NULL CHECK (version >= 1),
        created TEXT NOT NULL,
        last_modified TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (app, id)
      ) STRICT;
      CREATE UNIQUE INDEX resources_user_name ON resources (app, type, user_name);
      CREATE UNIQUE INDEX resources_unique_key ON resources (app, type, unique_key);
      CREATE INDEX resources_external_id ON resources (app, type, external_id);
      CREATE INDEX resources_display_name ON resources (app, type, display_name);
      CREATE INDEX resources_created ON resources (app, type, created, id);
      CREATE INDEX resources_last_modified ON resources (app, type, last_modified);

      CREATE TABLE memberships (
        app TEXT NOT NULL,
        group_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        raw TEXT NOT NULL,
        PRIMARY KEY (app, group_id, member_id),
        FOREIGN KEY (app, group_id) REFERENCES resources (app, id) ON DELETE CASCADE,
        FOREIGN KEY (app, member_id) REFERENCES resources (app, id) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX memberships_member ON memberships (app, member_id);

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        app TEXT NOT NULL,
        action TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id TEXT,
        status INTEGER NOT NULL,
        detail TEXT,
        request_id TEXT,
        duration_ms REAL
      ) STRICT;
      CREATE INDEX audit_app_seq ON audit (app, seq);
      ${PLANNER_STATISTICS}
    `,
  },
  {
    // Version 2: the downstream id of a resource (REST connectors), unique per app and type.
    version: 2,
    sql: `
      ALTER TABLE resources ADD COLUMN native_id TEXT;
      CREATE UNIQUE INDEX resources_native_id ON resources (app, type, native_id);
      INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('resources', 'resources_native_id', '100000 10000 5000 1');
      ANALYZE sqlite_schema;
    `,
  },
  {
    // Version 3: claims of the write path (Store.reserve). One row per claimed key; the rows of one
    // claim share its token and its lease (epoch milliseconds), and go together.
    version: 3,
    sql: `
      CREATE TABLE claims (
        app TEXT NOT NULL,
        key TEXT NOT NULL,
        token TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (app, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX claims_token ON claims (token);
    `,
  },
  {
    // Version 4: what an audit row is about, so a resource's timeline can be found (Store.auditTimeline),
    // deleted or not: its name at the time (as written, and folded for the lookup), its native id, and
    // the outcome in a word.
    version: 4,
    sql: `
      ALTER TABLE audit ADD COLUMN resource_name TEXT;
      ALTER TABLE audit ADD COLUMN resource_key TEXT;
      ALTER TABLE audit ADD COLUMN native_id TEXT;
      ALTER TABLE audit ADD COLUMN outcome TEXT;
      CREATE INDEX audit_resource_key ON audit (app, resource_key);
      CREATE INDEX audit_resource_id ON audit (app, resource_id);
      CREATE INDEX audit_request_id ON audit (request_id);
      INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
        ('audit', 'audit_resource_key', '100000 10000 10'),
        ('audit', 'audit_resource_id', '100000 10000 10'),
        ('audit', 'audit_request_id', '100000 5');
      ANALYZE sqlite_schema;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every pending migration; a database newer than this build is refused, not touched. */
export function runMigrations(db: Database.Database): void {
  for (const migration of MIGRATIONS) {
    db.transaction(() => {
      const current = schemaVersion(db);
      if (current > SCHEMA_VERSION) {
        throw new Error(`database schema version ${current} is newer than this build supports (${SCHEMA_VERSION})`);
      }
      if (current >= migration.version) return;
      db.exec(migration.sql);
      // An integer from the table above, never input: PRAGMA takes no bound parameters.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

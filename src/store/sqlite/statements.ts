/**
 * Every fixed statement of the SQLite store, prepared once per connection. Lists of ids travel as one
 * JSON array parameter expanded by json_each, so a lookup over any number of ids is one statement with
 * one parameter (no IN-list chunking, no statement per size). `json_each CROSS JOIN t` makes SQLite
 * drive the lookup from the list (CROSS JOIN fixes the loop order), whatever its statistics say.
 */

import type Database from 'better-sqlite3';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import { AUDIT_TIMELINE_SQL, type AuditRow, type ResourceRow } from '../records.js';

export interface MemberRow {
  group_id: string;
  member_id: string;
  raw: string;
}

/** A member of one group as stored, for writing only what changed. */
export interface StoredMemberRow {
  member_id: string;
  position: number;
  raw: string;
}

/** The named parameters of a resource insert or update. */
export interface ResourceParams {
  app: string;
  type: ResourceTypeName;
  id: string;
  user_name: string | null;
  display_name: string | null;
  display_name_raw: string | null;
  external_id: string | null;
  unique_key: string | null;
  created: string;
  last_modified: string;
  data: string;
  native_id: string | null;
}

/** An app and a JSON array of ids (see json_each above). */
export interface IdList {
  app: string;
  ids: string;
}

export const RESOURCE_COLUMNS = 'id, type, version, created, last_modified, data, native_id';

export function prepareStatements(db: Database.Database) {
  return {
    getResource: db.prepare<[string, string, string], ResourceRow>(
      `SELECT ${RESOURCE_COLUMNS} FROM resources WHERE app = ? AND type = ? AND id = ?`,
    ),
    typeOfId: db.prepare<[string, string], { type: ResourceTypeName }>(
      'SELECT type FROM resources WHERE app = ? AND id = ?',
    ),
    userNameTaken: db.prepare<[string, string, string], { id: string }>(
      "SELECT id FROM resources WHERE app = ? AND type = 'User' AND user_name = ? AND id <> ? LIMIT 1",
    ),
    groupDisplayNameTaken: db.prepare<[string, string, string], { id: string }>(
      "SELECT id FROM resources WHERE app = ? AND type = 'Group' AND display_name = ? AND id <> ? LIMIT 1",
    ),
    existingIds: db.prepare<[IdList], { id: string }>(
      'SELECT r.id FROM json_each(@ids) AS j CROSS JOIN resources r ON r.app = @app AND r.id = j.value',
    ),
    insertResource: db.prepare<[ResourceParams], unknown>(
      `INSERT INTO resources (app, type, id, user_name, display_name, display_name_raw, external_id, unique_key,
         version, created, last_modified, data, native_id)
       VALUES (@app, @type, @id, @user_name, @display_name, @display_name_raw, @external_id, @unique_key,
         1, @created, @last_modified, @data, @native_id)`,
    ),
    updateResource: db.prepare<[Omit<ResourceParams, 'created'>], unknown>(
      `UPDATE resources SET user_name = @user_name, display_name = @display_name,
         display_name_raw = @display_name_raw, external_id = @external_id, unique_key = @unique_key,
         version = version + 1, last_modified = @last_modified, data = @data,
         native_id = coalesce(@native_id, native_id)
       WHERE app = @app AND type = @type AND id = @id`,
    ),
    /** The groups that hold `member_id` lose it: their version (the ETag) must change. */
    /** `+type`: look the few groups up by (app, id) rather than walk every group of the app. */
    touchGroupsOfMember: db.prepare<[{ app: string; member_id: string; now: string }], unknown>(
      `UPDATE resources SET version = version + 1, last_modified = @now
       WHERE app = @app AND +type = 'Group'
         AND id IN (SELECT group_id FROM memberships WHERE app = @app AND member_id = @member_id)`,
    ),
    byNativeId: db.prepare<[string, string, string], ResourceRow>(
      `SELECT ${RESOURCE_COLUMNS} FROM resources WHERE app = ? AND type = ? AND native_id = ?`,
    ),
    deleteResource: db.prepare<[string, string, string], unknown>(
      'DELETE FROM resources WHERE app = ? AND type = ? AND id = ?',
    ),
    deleteMembersOf: db.prepare<[string, string], unknown>('DELETE FROM memberships WHERE app = ? AND group_id = ?'),
    memberRowsOf: db.prepare<[string, string], StoredMemberRow>(
      'SELECT member_id, position, raw FROM memberships WHERE app = ? AND group_id = ?',
    ),
    deleteMembersIn: db.prepare<[{ app: string; group_id: string; ids: string }], unknown>(
      'DELETE FROM memberships WHERE app = @app AND group_id = @group_id AND member_id IN (SELECT value FROM json_each(@ids))',
    ),
    updateMemberRaw: db.prepare<[string, string, string, string], unknown>(
      'UPDATE memberships SET raw = ? WHERE app = ? AND group_id = ? AND member_id = ?',
    ),
    insertMember: db.prepare<[string, string, string, number, string], unknown>(
      'INSERT INTO memberships (app, group_id, member_id, position, raw) VALUES (?, ?, ?, ?, ?)',
    ),
    membersOf: db.prepare<[IdList], MemberRow>(
      `SELECT m.group_id, m.member_id, m.raw
       FROM json_each(@ids) AS j CROSS JOIN memberships m ON m.app = @app AND m.group_id = j.value
       ORDER BY m.group_id, m.position`,
    ),
    groupsOf: db.prepare<[IdList], { member_id: string; group_id: string; display: string | null }>(
      `SELECT m.member_id, g.id AS group_id, g.display_name_raw AS display
       FROM json_each(@ids) AS j
         CROSS JOIN memberships m ON m.app = @app AND m.member_id = j.value
         CROSS JOIN resources g ON g.app = m.app AND g.id = m.group_id AND g.type = 'Group'
       ORDER BY m.member_id, g.created, g.id`,
    ),
    appendAudit: db.prepare<[Omit<AuditRow, 'seq'>], unknown>(
      `INSERT INTO audit (at, app, action, resource_type, resource_id, status, detail, request_id, duration_ms,
         resource_name, resource_key, native_id, outcome)
       VALUES (@at, @app, @action, @resource_type, @resource_id, @status, @detail, @request_id, @duration_ms,
         @resource_name, @resource_key, @native_id, @outcome)`,
    ),
    auditTimeline: db.prepare<[{ app: string; key: string | null; id: string | null; since: string; limit: number }], AuditRow>(
      AUDIT_TIMELINE_SQL.replace(/:(app|key|id|since|limit)\b/g, '@$1'),
    ),
    readAudit: db.prepare<[string, number], AuditRow>('SELECT * FROM audit WHERE app = ? ORDER BY seq DESC LIMIT ?'),
    nativeIdsOf: db.prepare<[IdList & { type: string }], { id: string; native_id: string }>(
      `SELECT r.id, r.native_id FROM json_each(@ids) AS j
         CROSS JOIN resources r ON r.app = @app AND r.id = j.value AND r.type = @type
       WHERE r.native_id IS NOT NULL`,
    ),
    claimOf: db.prepare<[string, string], { token: string; expires_at: number }>(
      'SELECT token, expires_at FROM claims WHERE app = ? AND key = ?',
    ),
    claimHeld: db.prepare<[string, string, string], { token: string }>(
      'SELECT token FROM claims WHERE app = ? AND key = ? AND token = ?',
    ),
    insertClaim: db.prepare<[string, string, string, number], unknown>(
      'INSERT INTO claims (app, key, token, expires_at) VALUES (?, ?, ?, ?)',
    ),
    deleteClaim: db.prepare<[string, string], unknown>('DELETE FROM claims WHERE app = ? AND token = ?'),
    versionOf: db.prepare<[string, string, string], { version: number }>(
      'SELECT version FROM resources WHERE app = ? AND type = ? AND id = ?',
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

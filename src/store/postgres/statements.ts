/**
 * The fixed statements of the PostgreSQL store, as named (server-side prepared) statements: each
 * connection parses and plans one the first time it runs it, then only binds values. They name their
 * columns (no `SELECT *`): a prepared statement whose result shape changes under it fails. Lists of ids travel
 * as one array parameter (`= ANY($n)`, `unnest`), so a lookup over any number of ids is one statement.
 */

import type pg from 'pg';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import { AUDIT_TIMELINE_SQL, type AuditRow, type GroupPairs, type ResourceRow } from '../records.js';
import type { Queryable } from './database.js';

/** A statement's text, its name, and (for the type checker only) its parameters and rows. */
export interface Statement<Params extends readonly unknown[], Row> {
  readonly name: string;
  readonly text: string;
  readonly shape?: (params: Params) => Row;
}

const named = <Params extends readonly unknown[], Row = never>(name: string, text: string): Statement<Params, Row> => ({
  name,
  text: text.replace(/\s+/g, ' ').trim(),
});

export async function run<Params extends readonly unknown[], Row>(db: Queryable, statement: Statement<Params, Row>, params: Params): Promise<Row[]> {
  const result = await db.query<Row & pg.QueryResultRow>({ name: statement.name, text: statement.text, values: [...params] });
  return result.rows;
}

/** A statement built at run time (a condition's shape): parsed each time, never prepared by name. */
export async function runText<Row>(db: Queryable, text: string, params: readonly unknown[]): Promise<Row[]> {
  const result = await db.query<Row & pg.QueryResultRow>({ text, values: [...params] });
  return result.rows;
}

export const RESOURCE_COLUMNS = 'id, type, version, created, last_modified, data, native_id';

/** A group's members in stored order as [member id, raw JSON text] pairs, in the same snapshot as the row. */
export const MEMBERS_COLUMN = `(SELECT coalesce(json_agg(json_build_array(m.member_id, m.raw) ORDER BY m.position), '[]')
  FROM memberships m WHERE m.app = resources.app AND m.group_id = resources.id) AS members`;

export type MemberPairs = [string, string][];
export type GroupRow = ResourceRow & { members: MemberPairs };

/** A user's groups as [group id, displayName] pairs, in the same statement (and snapshot) as the user. */
export const GROUPS_COLUMN = `(SELECT coalesce(json_agg(json_build_array(g.id, g.display_name_raw) ORDER BY g.created, g.id), '[]')
  FROM memberships m JOIN resources g ON g.app = m.app AND g.id = m.group_id AND g.type = 'Group'
  WHERE m.app = resources.app AND m.member_id = resources.id) AS groups`;

export type UserRow = ResourceRow & { groups: GroupPairs };

type Type = ResourceTypeName;
type Nullable = string | null;

/** app, type, id, user_name, display_name, display_name_raw, external_id, unique_key, timestamp, data, native_id */
export type ResourceValues = [string, Type, string, Nullable, Nullable, Nullable, Nullable, Nullable, string, string, Nullable];

/** at, app, action, resource_type, resource_id, status, detail, request_id, duration_ms, resource_name, resource_key, native_id, outcome */
export type AuditValues = [string, string, string, string, Nullable, number, Nullable, Nullable, number | null, Nullable, Nullable, Nullable, Nullable];

const INSERT_RESOURCE = `INSERT INTO resources (app, type, id, user_name, display_name, display_name_raw, external_id, unique_key,
    version, created, last_modified, data, native_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, $10, $11)`;

const AUDIT_COLUMNS = 'at, app, action, resource_type, resource_id, status, detail, request_id, duration_ms, resource_name, resource_key, native_id, outcome';

/** The audit row's insert, its thirteen values numbered from $first. */
const insertAudit = (first: number) =>
  `INSERT INTO audit (${AUDIT_COLUMNS})
  VALUES (${Array.from({ length: 13 }, (_, i) => `$${first + i}`).join(', ')})`;

const TIMELINE_PARAMS: Record<string, string> = { app: '$1', key: '$2', id: '$3', since: '$4', limit: '$5' };

export const SQL = {
  getResource: named<[string, Type, string], ResourceRow>(
    'get_resource',
    `SELECT ${RESOURCE_COLUMNS} FROM resources WHERE app = $1 AND type = $2 AND id = $3`,
  ),
  getWithMembers: named<[string, Type, string], GroupRow>(
    'get_with_members',
    `SELECT ${RESOURCE_COLUMNS}, ${MEMBERS_COLUMN} FROM resources WHERE app = $1 AND type = $2 AND id = $3`,
  ),
  byUserName: named<[string, string], ResourceRow>(
    'by_user_name',
    `SELECT ${RESOURCE_COLUMNS} FROM resources WHERE app = $1 AND type = 'User' AND user_name = $2`,
  ),
  getUserWithGroups: named<[string, string], UserRow>(
    'get_user_with_groups',
    `SELECT ${RESOURCE_COLUMNS}, ${GROUPS_COLUMN} FROM resources WHERE app = $1 AND type = 'User' AND id = $2`,
  ),
  byUserNameWithGroups: named<[string, string], UserRow>(
    'by_user_name_with_groups',
    `SELECT ${RESOURCE_COLUMNS}, ${GROUPS_COLUMN} FROM resources WHERE app = $1 AND type = 'User' AND user_name = $2`,
  ),
  byNativeId: named<[string, Type, string], ResourceRow>(
    'by_native_id',
    `SELECT ${RESOURCE_COLUMNS} FROM resources WHERE app = $1 AND type = $2 AND native_id = $3`,
  ),
  nativeIdsOf: named<[string, Type, readonly string[]], { id: string; native_id: string }>(
    'native_ids_of',
    'SELECT id, native_id FROM resources WHERE app = $1 AND type = $2 AND id = ANY($3) AND native_id IS NOT NULL',
  ),
  groupsOf: named<[string, readonly string[]], { member_id: string; group_id: string; display: string | null }>(
    'groups_of',
    `SELECT m.member_id, g.id AS group_id, g.display_name_raw AS display
     FROM memberships m JOIN resources g ON g.app = m.app AND g.id = m.group_id AND g.type = 'Group'
     WHERE m.app = $1 AND m.member_id = ANY($2)
     ORDER BY m.member_id, g.created, g.id`,
  ),
  insertResource: named<ResourceValues, never>('insert_resource', INSERT_RESOURCE),
  /** A create and its audit row in one statement: both rows or neither, in one round trip. */
  insertResourceAudited: named<[...ResourceValues, ...AuditValues], never>(
    'insert_resource_audited',
    `WITH audit_row AS (${insertAudit(12)}) ${INSERT_RESOURCE}`,
  ),
  /** $12: the version the write expects (NULL: any). No row when absent or at another version. */
  updateResource: named<[...ResourceValues, number | null], { version: number; created: string; native_id: string | null }>(
    'update_resource',
    `UPDATE resources SET user_name = $4, display_name = $5, display_name_raw = $6, external_id = $7, unique_key = $8,
       version = version + 1, last_modified = $9, data = $10, native_id = coalesce($11, native_id)
     WHERE app = $1 AND type = $2 AND id = $3 AND ($12::integer IS NULL OR version = $12::integer)
     RETURNING version, created, native_id`,
  ),
  /** The row stays locked until the transaction ends: nothing changes it between the check and the write. */
  versionForUpdate: named<[string, Type, string], { version: number }>(
    'version_for_update',
    'SELECT version FROM resources WHERE app = $1 AND type = $2 AND id = $3 FOR UPDATE',
  ),
  /**
   * What a write or a claim would collide with among stored resources ($4, $5 NULL: not asked): the
   * resource's own version (if it exists with this type), whether its id is taken (by either type), and
   * whether another user has the folded userName or another group the folded displayName.
   */
  keyChecks: named<
    [string, Type, string, Nullable, Nullable],
    { version: number | null; id_taken: boolean; user_name_taken: boolean; display_name_taken: boolean }
  >(
    'key_checks',
    `SELECT
       (SELECT version FROM resources WHERE app = $1 AND type = $2 AND id = $3) AS version,
       EXISTS (SELECT 1 FROM resources WHERE app = $1 AND id = $3) AS id_taken,
       EXISTS (SELECT 1 FROM resources WHERE app = $1 AND type = 'User' AND user_name = $4 AND id <> $3) AS user_name_taken,
       EXISTS (SELECT 1 FROM resources WHERE app = $1 AND type = 'Group' AND display_name = $5 AND id <> $3) AS display_name_taken`,
  ),
  /** The groups that hold `member_id` lose it: their version (the ETag) must change. */
  touchGroupsOfMember: named<[string, string, string], never>(
    'touch_groups_of_member',
    `UPDATE resources SET version = version + 1, last_modified = $3
     WHERE app = $1 AND type = 'Group' AND id IN (SELECT group_id FROM memberships WHERE app = $1 AND member_id = $2)`,
  ),
  deleteResource: named<[string, Type, string], never>('delete_resource', 'DELETE FROM resources WHERE app = $1 AND type = $2 AND id = $3'),
  deleteMembersOf: named<[string, string], never>('delete_members_of', 'DELETE FROM memberships WHERE app = $1 AND group_id = $2'),
  /** KEY SHARE: a member found here cannot be deleted before this transaction ends, so its insert cannot fail. */
  lockExistingIds: named<[string, readonly string[]], { id: string }>(
    'lock_existing_ids',
    'SELECT id FROM resources WHERE app = $1 AND id = ANY($2) FOR KEY SHARE',
  ),
  insertMembers: named<[string, string, readonly string[], readonly string[]], never>(
    'insert_members',
    `INSERT INTO memberships (app, group_id, member_id, position, raw)
     SELECT $1, $2, m.member_id, m.position - 1, m.raw
     FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS m (member_id, raw, position)`,
  ),
  /** A group's member rows, for writing only what changed (member-list.ts planMemberWrite). */
  memberRowsOf: named<[string, string], { member_id: string; position: number; raw: string }>(
    'member_rows_of',
    'SELECT member_id, position, raw FROM memberships WHERE app = $1 AND group_id = $2',
  ),
  deleteMembersIn: named<[string, string, readonly string[]], never>(
    'delete_members_in',
    'DELETE FROM memberships WHERE app = $1 AND group_id = $2 AND member_id = ANY($3)',
  ),
  insertMembersAt: named<[string, string, readonly string[], readonly number[], readonly string[]], never>(
    'insert_members_at',
    `INSERT INTO memberships (app, group_id, member_id, position, raw)
     SELECT $1, $2, m.member_id, m.position, m.raw FROM unnest($3::text[], $4::integer[], $5::text[]) AS m (member_id, position, raw)`,
  ),
  updateMembersRaw: named<[string, string, readonly string[], readonly string[]], never>(
    'update_members_raw',
    `UPDATE memberships SET raw = m.raw FROM unnest($3::text[], $4::text[]) AS m (member_id, raw)
     WHERE memberships.app = $1 AND memberships.group_id = $2 AND memberships.member_id = m.member_id`,
  ),
  appendAudit: named<AuditValues, never>('append_audit', insertAudit(1)),
  /** seq is bigint, which pg hands over as a string. */
  readAudit: named<[string, number], Omit<AuditRow, 'seq'> & { seq: string }>(
    'read_audit',
    `SELECT seq, ${AUDIT_COLUMNS} FROM audit WHERE app = $1 ORDER BY seq DESC LIMIT $2`,
  ),
  /** Store.auditTimeline, newest first (records.ts). */
  auditTimeline: named<[string, string | null, string | null, string, number], Omit<AuditRow, 'seq'> & { seq: string }>(
    'audit_timeline',
    AUDIT_TIMELINE_SQL.replace(/:(app|key|id|since|limit)\b/g, (_, name: string) => TIMELINE_PARAMS[name]!),
  ),
  /**
   * Lapsed claims holding any of the keys go whole (every row of their token), and so do yielding
   * (lookup) ones; `live` says which rows had not lapsed, for a create to inherit their note.
   */
  takeOverClaims: named<[string, readonly string[]], { note: string | null; live: boolean }>(
    'take_over_claims',
    `DELETE FROM claims WHERE app = $1 AND token IN (
       SELECT token FROM claims WHERE app = $1 AND key = ANY($2) AND (expires_at <= clock_timestamp() OR note IS NOT NULL))
     RETURNING note, expires_at > clock_timestamp() AS live`,
  ),
  /**
   * Parks a yielding claim that is still held (not lapsed): its note, its new lease. Lapsed yielding
   * claims of the app go meanwhile (lookups no create followed: Entra's Test Connection, say).
   */
  parkClaim: named<[string, string, string, number], { key: string }>(
    'park_claim',
    `WITH purged AS (DELETE FROM claims WHERE app = $1 AND note IS NOT NULL AND expires_at <= clock_timestamp())
     UPDATE claims SET note = $3, expires_at = clock_timestamp() + $4::float8 * interval '1 millisecond'
     WHERE app = $1 AND token = $2 AND note IS NOT NULL AND expires_at > clock_timestamp()
     RETURNING key`,
  ),
  /**
   * The keys that were free, now held. A key held by a transaction still in progress waits for it to
   * end. The rows go in key order, so two claims that share keys wait on each other in one order, never
   * in a cycle.
   */
  insertClaims: named<[string, readonly string[], string, number, string | null], { key: string }>(
    'insert_claims',
    `INSERT INTO claims (app, key, token, expires_at, note)
     SELECT $1, k, $3, clock_timestamp() + $4::float8 * interval '1 millisecond', $5 FROM unnest($2::text[]) AS k ORDER BY k
     ON CONFLICT (app, key) DO NOTHING
     RETURNING key`,
  ),
  /** Ends a claim: every row of its token; the keys it still held. */
  takeClaim: named<[string, string], { key: string }>('take_claim', 'DELETE FROM claims WHERE app = $1 AND token = $2 RETURNING key'),
  schemaVersion: named<[], { version: number | null }>('schema_version', 'SELECT max(version) AS version FROM schema_migrations'),
};

/**
 * The three resource writes, each run inside the caller's transaction. Unique indexes decide every
 * uniqueness question (errors.ts maps their violations to fields); the one explicit check is a group
 * displayName written with uniqueGroupDisplayName, which also meets groups written without the option
 * (a name that is taken is taken), and those hold no unique_key.
 */

import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import { indexedColumns, type IndexedColumns } from '../indexed-fields.js';
import { toAuditRow, toResourceRecord } from '../records.js';
import { StoreError, type AuditEntry, type JsonObject, type MemberRecord, type ResourceRecord, type WriteOptions } from '../types.js';
import { takeClaim } from './claims.js';
import type { Queryable } from './database.js';
import { insertMembers, replaceMembers } from './memberships.js';
import { run, SQL, type AuditValues, type ResourceValues } from './statements.js';

/** What the store writes: the data as given and as serialized, the members already normalized. */
export interface WriteParts {
  data: JsonObject;
  serialized: string;
  nativeId: string | null;
  members: MemberRecord[] | undefined;
}

/** Which resource a write is about. */
export interface ResourceKey {
  app: string;
  type: ResourceTypeName;
  id: string;
}

/** PostgreSQL text cannot hold U+0000 (the server refuses it), so no stored value has one. */
export const hasNul = (value: string): boolean => value.includes('\u0000');

export async function createIn(tx: Queryable, key: ResourceKey, parts: WriteParts, options: WriteOptions): Promise<ResourceRecord> {
  const { app, type, id } = key;
  if (options.claim) await takeClaim(tx, app, type, id, options.claim);
  const columns = storableColumns(type, parts.data);
  if (type === 'Group' && options.uniqueGroupDisplayName && columns.displayName !== null) {
    const [checks] = await run(tx, SQL.keyChecks, [app, type, id, null, columns.displayName]);
    if (checks?.id_taken) throw new StoreError('conflict', 'id is already taken', { field: 'id' });
    if (checks?.display_name_taken) throw new StoreError('conflict', 'displayName is already taken', { field: 'displayName' });
  }
  const { values, record } = newResource(key, columns, parts, options);
  await run(tx, SQL.insertResource, values);
  if (options.audit) await appendAuditIn(tx, { ...options.audit, resourceId: id });
  if (parts.members !== undefined) record.members = await insertMembers(tx, app, id, parts.members);
  return record;
}

/**
 * A create with nothing to take or check before its insert and no members after it (the store
 * connector's every user): one statement, its own transaction.
 */
export function createFitsOneStatement(type: ResourceTypeName, parts: WriteParts, options: WriteOptions): boolean {
  return options.claim === undefined && parts.members === undefined && !(type === 'Group' && options.uniqueGroupDisplayName);
}

/** Such a create: the resource and its audit row in one statement, so both or neither are written. */
export async function createInOneStatement(db: Queryable, key: ResourceKey, parts: WriteParts, options: WriteOptions): Promise<ResourceRecord> {
  const { values, record } = newResource(key, storableColumns(key.type, parts.data), parts, options);
  if (options.audit) await run(db, SQL.insertResourceAudited, [...values, ...auditValues({ ...options.audit, resourceId: key.id })]);
  else await run(db, SQL.insertResource, values);
  return record;
}

/** The values of a new resource's row, and the record a read of it will answer (a group: no members yet). */
function newResource({ app, type, id }: ResourceKey, columns: IndexedColumns, parts: WriteParts, options: WriteOptions) {
  const now = new Date().toISOString();
  const values: ResourceValues = [app, type, id, ...columnValues(type, columns, options), now, parts.serialized, parts.nativeId];
  const record = toResourceRecord({ id, type, version: 1, created: now, last_modified: now, data: parts.serialized, native_id: parts.nativeId });
  if (type === 'Group') record.members = [];
  return { values, record };
}

export async function replaceIn(tx: Queryable, { app, type, id }: ResourceKey, parts: WriteParts, options: WriteOptions): Promise<ResourceRecord> {
  if (options.claim) await takeClaim(tx, app, type, id, options.claim);
  const columns = storableColumns(type, parts.data);
  const now = new Date().toISOString();
  const values: ResourceValues = [app, type, id, ...columnValues(type, columns, options), now, parts.serialized, parts.nativeId];
  const [row] = await run(tx, SQL.updateResource, [...values, options.ifVersion ?? null]);
  if (!row) {
    const [stored] = await run(tx, SQL.getResource, [app, type, id]);
    if (!stored) throw new StoreError('not_found', `${type} not found`);
    throw new StoreError('version_mismatch', `version is ${stored.version}, not ${String(options.ifVersion)}`);
  }
  if (type === 'Group' && options.uniqueGroupDisplayName && columns.displayName !== null) {
    const [checks] = await run(tx, SQL.keyChecks, [app, type, id, null, columns.displayName]);
    if (checks?.display_name_taken) throw new StoreError('conflict', 'displayName is already taken', { field: 'displayName' });
  }
  const record = toResourceRecord({ id, type, version: row.version, created: row.created, last_modified: now, data: parts.serialized, native_id: row.native_id });
  if (options.audit) await appendAuditIn(tx, options.audit);
  if (parts.members !== undefined) record.members = await replaceMembers(tx, app, id, parts.members);
  return record;
}

export async function deleteIn(
  tx: Queryable,
  { app, type, id }: ResourceKey,
  options: Pick<WriteOptions, 'ifVersion' | 'audit' | 'claim'>,
): Promise<boolean> {
  if (options.claim) await takeClaim(tx, app, type, id, options.claim);
  const [row] = await run(tx, SQL.versionForUpdate, [app, type, id]);
  if (!row) return false;
  if (options.ifVersion !== undefined && row.version !== options.ifVersion) {
    throw new StoreError('version_mismatch', `version is ${row.version}, not ${options.ifVersion}`);
  }
  // Before the cascade removes the memberships that say which groups to touch.
  await run(tx, SQL.touchGroupsOfMember, [app, id, new Date().toISOString()]);
  await run(tx, SQL.deleteResource, [app, type, id]);
  if (options.audit) await appendAuditIn(tx, options.audit);
  return true;
}

export async function appendAuditIn(db: Queryable, entry: AuditEntry): Promise<void> {
  await run(db, SQL.appendAudit, auditValues(entry));
}

function auditValues(entry: AuditEntry): AuditValues {
  const row = toAuditRow(entry);
  // An audit note is a log line: a U+0000 in it (which text cannot hold) becomes U+FFFD rather than lose the row.
  const text = (value: string | null) => (value === null ? null : value.replaceAll('\u0000', '\uFFFD'));
  return [
    row.at,
    row.app,
    text(row.action)!,
    row.resource_type,
    text(row.resource_id),
    row.status,
    text(row.detail),
    text(row.request_id),
    row.duration_ms,
    text(row.resource_name),
    text(row.resource_key),
    text(row.native_id),
    text(row.outcome),
  ];
}

/** The indexed columns of `data`, refused when PostgreSQL cannot store them (see hasNul). */
function storableColumns(type: ResourceTypeName, data: JsonObject): IndexedColumns {
  const columns = indexedColumns(type, data);
  for (const [name, value] of Object.entries(columns)) {
    if (value !== null && hasNul(value)) throw new TypeError(`the PostgreSQL store cannot keep U+0000 in ${name}`);
  }
  return columns;
}

/** user_name, display_name, display_name_raw, external_id, unique_key (a flagged group's folded displayName). */
function columnValues(type: ResourceTypeName, columns: IndexedColumns, options: WriteOptions) {
  const uniqueKey = type === 'Group' && options.uniqueGroupDisplayName ? columns.displayName : null;
  return [columns.userName, columns.displayName, columns.displayNameRaw, columns.externalId, uniqueKey] as const;
}

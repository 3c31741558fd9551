/**
 * Rows of a SQL store -> the records of the Store interface, and the checks on what goes in. Both stores
 * keep the same columns under the same names, so one mapping serves them.
 */

import type { ResourceTypeName } from '../scim/schemas/registry.js';
import { foldCase, type AuditEntry, type AuditRecord, type JsonObject, type ResourceRecord } from './types.js';

/** The columns of a resource row that make its record. */
export interface ResourceRow {
  id: string;
  type: ResourceTypeName;
  version: number;
  created: string;
  last_modified: string;
  data: string;
  native_id: string | null;
}

export interface AuditRow {
  seq: number;
  at: string;
  app: string;
  action: string;
  resource_type: ResourceTypeName;
  resource_id: string | null;
  status: number;
  detail: string | null;
  request_id: string | null;
  duration_ms: number | null;
  resource_name: string | null;
  resource_key: string | null;
  native_id: string | null;
  outcome: string | null;
}

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseObject(text: string, what: string): JsonObject {
  const value: unknown = JSON.parse(text);
  if (!isJsonObject(value)) throw new Error(`stored ${what} is not a JSON object`);
  return value;
}

/** Serializes resource data, refusing what is not a JSON object (a caller's bug, not client input). */
export function serializeData(data: unknown): string {
  if (!isJsonObject(data)) throw new TypeError('resource data must be a JSON object');
  return JSON.stringify(data);
}

export function assertResourceType(type: unknown): asserts type is ResourceTypeName {
  if (type !== 'User' && type !== 'Group') throw new TypeError(`unknown resource type: ${String(type)}`);
}

export function toResourceRecord(row: ResourceRow): ResourceRecord {
  const record: ResourceRecord = {
    id: row.id,
    type: row.type,
    data: parseObject(row.data, `data of ${row.type} ${row.id}`),
    version: row.version,
    created: row.created,
    lastModified: row.last_modified,
  };
  if (row.native_id !== null) record.nativeId = row.native_id;
  return record;
}

/** Absent optional fields stay absent (no `undefined` keys, no nulls). */
export function toAuditRecord(row: AuditRow): AuditRecord {
  const record: AuditRecord = {
    seq: row.seq,
    at: row.at,
    app: row.app,
    action: row.action,
    resourceType: row.resource_type,
    status: row.status,
  };
  if (row.resource_id !== null) record.resourceId = row.resource_id;
  if (row.detail !== null) record.detail = row.detail;
  if (row.request_id !== null) record.requestId = row.request_id;
  if (row.duration_ms !== null) record.durationMs = row.duration_ms;
  if (row.resource_name !== null) record.resourceName = row.resource_name;
  if (row.native_id !== null) record.nativeId = row.native_id;
  if (row.outcome !== null) record.outcome = row.outcome;
  return record;
}

export function assertCount(value: unknown, what: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TypeError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
}

/** The columns an audit entry is written to (both stores), `at` being now. */
export function toAuditRow(entry: AuditEntry): Omit<AuditRow, 'seq'> {
  return {
    at: new Date().toISOString(),
    app: entry.app,
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId ?? null,
    status: entry.status,
    detail: entry.detail ?? null,
    request_id: entry.requestId ?? null,
    duration_ms: entry.durationMs ?? null,
    resource_name: entry.resourceName ?? null,
    // Folded as userNames are, so a timeline is found whatever case the operator types.
    resource_key: entry.resourceName === undefined ? null : foldCase(entry.resourceName),
    native_id: entry.nativeId ?? null,
    outcome: entry.outcome ?? null,
  };
}

/**
 * One resource's timeline in SQL both stores run (`:app`, `:key`, `:id`, `:since`, `:limit` are
 * replaced by each store's parameter syntax): the rows naming it (by its name then or its id, which
 * carries it across a rename), and the rows of the same requests that name no other resource. Its ids and requests are looked up over the whole history, so a delete
 * after `since` is found even when the name was recorded before it.
 */
export const AUDIT_TIMELINE_SQL = `
  WITH named AS (
    SELECT resource_id, request_id FROM audit WHERE app = :app AND (resource_key = :key OR resource_id = :id)
  ), subject AS (
    SELECT resource_id, request_id FROM named
    UNION SELECT resource_id, request_id FROM audit WHERE app = :app AND resource_id IN (SELECT resource_id FROM named)
  ), hits AS (
    SELECT seq FROM audit WHERE app = :app AND resource_key = :key
    UNION SELECT seq FROM audit WHERE app = :app AND resource_id IN (SELECT resource_id FROM subject)
    UNION SELECT a.seq FROM audit a JOIN subject s ON a.request_id = s.request_id
      WHERE a.app = :app AND (a.resource_id IS NULL OR a.resource_id = s.resource_id)
  )
  SELECT seq, at, app, action, resource_type, resource_id, status, detail, request_id, duration_ms,
    resource_name, resource_key, native_id, outcome
  FROM audit WHERE seq IN (SELECT seq FROM hits) AND at >= :since ORDER BY seq DESC LIMIT :limit`;

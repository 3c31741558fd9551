/**
 * Rows of a SQL store -> the records of the Store interface, and the checks on what goes in. Both stores
 * keep the same columns under the same names, so one mapping serves them.
 */

import type { ResourceTypeName } from '../scim/schemas/registry.js';
import type { AuditRecord, GroupRef, JsonObject, ResourceRecord } from './types.js';

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

/** A user's groups as a read's groups column lists them: [group id, displayName as written] pairs. */
export type GroupPairs = [string, string | null][];

export function toGroupRefs(pairs: GroupPairs): GroupRef[] {
  return pairs.map(([value, display]) => ({ value, display: display ?? '' }));
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
  return record;
}

export function assertCount(value: unknown, what: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TypeError(`${what} must be a non-negative integer, got ${String(value)}`);
  }
}

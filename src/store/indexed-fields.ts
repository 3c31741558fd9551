/**
 * The indexed columns of a resource, derived from its data on every write so they can never drift from
 * it. Only string values count: anything else is treated as absent. userName is a user's attribute;
 * displayName exists on both types.
 */

import type { ResourceTypeName } from '../scim/schemas/registry.js';
import { foldCase, type JsonObject } from './types.js';

export interface IndexedColumns {
  userName: string | null;
  displayName: string | null;
  displayNameRaw: string | null;
  externalId: string | null;
}

const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function indexedColumns(type: ResourceTypeName, data: JsonObject): IndexedColumns {
  const userName = type === 'User' ? stringOrNull(data['userName']) : null;
  const displayName = stringOrNull(data['displayName']);
  return {
    userName: userName === null ? null : foldCase(userName),
    displayName: displayName === null ? null : foldCase(displayName),
    displayNameRaw: displayName,
    externalId: stringOrNull(data['externalId']),
  };
}

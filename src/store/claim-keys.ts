/**
 * The keys a claim holds (Store.reserve), the same for every store: the resource's id, and the unique
 * values its data will take — a user's folded userName, a group's folded displayName when group names
 * are unique. Two claims conflict exactly when they share a key.
 */
import type { ResourceTypeName } from '../scim/schemas/registry.js';
import { isJsonObject } from './records.js';
import type { AbsentNote, ReserveRequest } from './types.js';
import { indexedColumns } from './indexed-fields.js';

export interface ClaimKey {
  key: string;
  /** What a conflict on this key is reported as. */
  field: 'id' | 'userName' | 'displayName';
  /** The folded unique value (absent for the id key). */
  value?: string;
}

export function claimKeys(type: ResourceTypeName, id: string, request: Pick<ReserveRequest, 'data' | 'uniqueGroupDisplayName'>): ClaimKey[] {
  const keys: ClaimKey[] = [{ key: idKey(id), field: 'id' }];
  if (!request.data) return keys;
  const columns = indexedColumns(type, request.data);
  if (type === 'User' && columns.userName !== null) {
    keys.push({ key: `User:userName:${columns.userName}`, field: 'userName', value: columns.userName });
  }
  if (type === 'Group' && request.uniqueGroupDisplayName && columns.displayName !== null) {
    keys.push({ key: `Group:displayName:${columns.displayName}`, field: 'displayName', value: columns.displayName });
  }
  return keys;
}

/** The key every claim of a resource holds: a write under a claim checks it is still there. */
export const idKey = (id: string): string => `id:${id}`;

/** The note of a lookup claim while its holder searches: it yields, and knows nothing yet. */
export const SEARCHING = '{}';

/** A yielding claim's stored note as a create may inherit it: only a parked one (a negative search) counts. */
export function noteOf(stored: string | null): AbsentNote | undefined {
  if (stored === null) return undefined;
  const note: unknown = JSON.parse(stored);
  if (!isJsonObject(note) || typeof note.value !== 'string' || typeof note.at !== 'string') return undefined;
  return { value: note.value, at: note.at };
}

/**
 * What every store can hold, checked before any store (or native API) sees a write: no U+0000 in any
 * string (PostgreSQL text cannot hold it, and no SCIM value needs it), and the indexed attributes within
 * a length every index takes (a PostgreSQL b-tree entry holds at most about 2.7 kB).
 */
import { invalidValue } from '../scim/errors.js';
import type { JsonObject } from '../store/types.js';

/** userName, displayName and externalId are indexed: each at most this many UTF-8 bytes. */
export const MAX_INDEXED_BYTES = 1024;
const INDEXED = ['userName', 'displayName', 'externalId'] as const;

export function assertStorable(data: JsonObject): void {
  for (const name of INDEXED) {
    const value = data[name];
    if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') > MAX_INDEXED_BYTES) {
      throw invalidValue(`"${name}" is longer than ${MAX_INDEXED_BYTES} bytes`);
    }
  }
  if (hasNul(data)) throw invalidValue('A value contains the character U+0000, which cannot be stored');
}

/** Depth is bounded at the door (JSON nesting limit), so plain recursion is safe here. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
}

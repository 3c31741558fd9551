/**
 * StoreCondition -> SQLite WHERE fragment with bound parameters. Values only ever travel as parameters;
 * field names go through the fixed COLUMNS table, so nothing a client wrote reaches the SQL text, and the
 * text depends only on the condition's shape (which makes it cacheable as a prepared statement).
 *
 * Semantics (the store contract): an absent field (NULL) makes every comparison false except `ne`,
 * which is true; `pr` means present and not empty. Leaves may still yield NULL for an absent field (so
 * indexes stay usable), which WHERE treats as false; `not` wraps its operand in coalesce(…, 0) so that
 * NULL never reaches NOT. With and/or being monotone, that gives exactly the two-valued logic.
 *
 * LIKE/GLOB are avoided: their wildcards would need escaping and LIKE folds ASCII only. String
 * comparison is SQLite's BINARY collation, i.e. UTF-8 byte order (code point order).
 */

import { invalidFilter } from '../../scim/errors.js';
import type { IndexedField, StoreCondition } from '../types.js';

export const COLUMNS: Readonly<Record<IndexedField, string>> = Object.freeze({
  id: 'id',
  userName: 'user_name',
  externalId: 'external_id',
  displayName: 'display_name',
  created: 'created',
  lastModified: 'last_modified',
});

/** Bounds that keep the SQL (and SQLite's expression depth limit of 1000) in reach. */
export const MAX_CONDITION_DEPTH = 200;
export const MAX_CONDITION_NODES = 1000;

export type SqlParam = string | number;

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
}

const COMPARISONS = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

export function columnOf(field: unknown): string {
  if (typeof field !== 'string' || !Object.hasOwn(COLUMNS, field)) {
    throw new TypeError(`not an indexed field: ${String(field)}`);
  }
  return COLUMNS[field as IndexedField];
}

/** Length in SQLite characters (code points): what substr() and length() count. */
const charLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export function compileCondition(condition: StoreCondition): SqlFragment {
  const params: SqlParam[] = [];
  let nodes = 0;

  const compile = (c: StoreCondition, depth: number): string => {
    if (depth > MAX_CONDITION_DEPTH) throw invalidFilter(`filter is nested more than ${MAX_CONDITION_DEPTH} levels deep`);
    if (++nodes > MAX_CONDITION_NODES) throw invalidFilter(`filter has more than ${MAX_CONDITION_NODES} terms`);
    switch (c.op) {
      case 'and':
      case 'or':
        return `(${compile(c.left, depth + 1)} ${c.op === 'and' ? 'AND' : 'OR'} ${compile(c.right, depth + 1)})`;
      case 'not':
        return `(NOT coalesce(${compile(c.condition, depth + 1)}, 0))`;
      case 'pr': {
        const col = columnOf(c.field);
        return `(${col} IS NOT NULL AND ${col} <> '')`;
      }
      default:
        return compileComparison(c, params);
    }
  };

  const sql = compile(condition, 1);
  return { sql, params };
}

function compileComparison(c: Extract<StoreCondition, { value: string }>, params: SqlParam[]): string {
  const col = columnOf(c.field);
  if (typeof c.value !== 'string') throw new TypeError(`condition value must be a string, got ${typeof c.value}`);
  const value = c.value;
  switch (c.op) {
    case 'eq':
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      params.push(value);
      return `${col} ${COMPARISONS[c.op]} ?`;
    case 'ne':
      params.push(value);
      return `${col} IS NOT ?`;
    case 'sw':
    case 'ew':
    case 'co':
      // Every string starts with, ends with and contains ''; substr(x, -0) would not say so.
      if (value === '') return `${col} IS NOT NULL`;
      if (c.op === 'co') {
        params.push(value);
        return `instr(${col}, ?) > 0`;
      }
      if (c.op === 'sw') {
        // The lower bound lets the index narrow the scan; substr decides.
        params.push(value, charLength(value), value);
        return `(${col} >= ? AND substr(${col}, 1, ?) = ?)`;
      }
      params.push(-charLength(value), value);
      return `substr(${col}, ?) = ?`;
    default:
      throw new TypeError(`unknown condition op: ${String((c as { op: unknown }).op)}`);
  }
}

/** ORDER BY for a sort field, absent values last in both directions, ties broken by id. */
export function compileOrder(sort: { field: IndexedField; descending: boolean } | undefined): string {
  if (sort === undefined) return 'created ASC, id ASC';
  const col = columnOf(sort.field);
  const dir = sort.descending ? 'DESC' : 'ASC';
  if (col === 'id') return `id ${dir}`;
  return `(${col} IS NULL) ASC, ${col} ${dir}, id ASC`;
}

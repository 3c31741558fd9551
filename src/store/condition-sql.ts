/**
 * StoreCondition -> SQL WHERE fragment with bound parameters, for every SQL store. The walk over the
 * condition, its bounds and its semantics live here; a store's dialect only spells placeholders and the
 * string tests. Values only ever travel as parameters; field names go through the fixed COLUMNS table,
 * so nothing a client wrote reaches the SQL text, and the text depends only on the condition's shape
 * (which makes it cacheable as a prepared statement).
 *
 * Semantics (the store contract): an absent field (NULL) makes every comparison false except `ne`,
 * which is true; `pr` means present and not empty. Leaves may still yield NULL for an absent field (so
 * indexes stay usable), which WHERE treats as false; `not` wraps its operand in coalesce(…, false) so
 * that NULL never reaches NOT. With and/or being monotone, that gives exactly the two-valued logic.
 *
 * LIKE is avoided: its wildcards would need escaping and its case handling differs between databases.
 * String comparison is by code point (SQLite's BINARY collation, PostgreSQL's "C").
 */

import { invalidFilter } from '../scim/errors.js';
import type { IndexedField, StoreCondition } from './types.js';

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

/** Binds a value as the next parameter and answers the SQL that stands for it. */
export type Bind = (value: SqlParam) => string;

/** What differs between SQL databases in a compiled condition. Each function binds in text order. */
export interface ConditionDialect {
  /** The SQL for the parameter at 1-based `position`; may refuse a value the database cannot take. */
  placeholder(position: number, value: SqlParam): string;
  /** The false that coalesce turns an absent comparison into under NOT. */
  readonly false: string;
  /** Null-safe "differs from": true when the column is NULL. */
  notEqual(col: string, value: string, bind: Bind): string;
  /** The string tests, for a non-empty value whose length in characters is `length`. */
  contains(col: string, value: string, bind: Bind): string;
  startsWith(col: string, value: string, length: number, bind: Bind): string;
  endsWith(col: string, value: string, length: number, bind: Bind): string;
}

const COMPARISONS = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

export function columnOf(field: unknown): string {
  if (typeof field !== 'string' || !Object.hasOwn(COLUMNS, field)) {
    throw new TypeError(`not an indexed field: ${String(field)}`);
  }
  return COLUMNS[field as IndexedField];
}

/** Length in characters (code points): what SQLite's substr() and PostgreSQL's left()/right() count. */
const charLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Compiles `condition`; its first parameter is number `firstPosition` of the statement. */
export function compileConditionFor(dialect: ConditionDialect, condition: StoreCondition, firstPosition = 1): SqlFragment {
  const params: SqlParam[] = [];
  const bind: Bind = (value) => {
    params.push(value);
    return dialect.placeholder(firstPosition + params.length - 1, value);
  };
  let nodes = 0;

  const compile = (c: StoreCondition, depth: number): string => {
    if (depth > MAX_CONDITION_DEPTH) throw invalidFilter(`filter is nested more than ${MAX_CONDITION_DEPTH} levels deep`);
    if (++nodes > MAX_CONDITION_NODES) throw invalidFilter(`filter has more than ${MAX_CONDITION_NODES} terms`);
    switch (c.op) {
      case 'and':
      case 'or':
        return `(${compile(c.left, depth + 1)} ${c.op === 'and' ? 'AND' : 'OR'} ${compile(c.right, depth + 1)})`;
      case 'not':
        return `(NOT coalesce(${compile(c.condition, depth + 1)}, ${dialect.false}))`;
      case 'pr': {
        const col = columnOf(c.field);
        return `(${col} IS NOT NULL AND ${col} <> '')`;
      }
      default:
        return compileComparison(dialect, c, bind);
    }
  };

  const sql = compile(condition, 1);
  return { sql, params };
}

function compileComparison(dialect: ConditionDialect, c: Extract<StoreCondition, { value: string }>, bind: Bind): string {
  const col = columnOf(c.field);
  if (typeof c.value !== 'string') throw new TypeError(`condition value must be a string, got ${typeof c.value}`);
  const value = c.value;
  switch (c.op) {
    case 'eq':
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return `${col} ${COMPARISONS[c.op]} ${bind(value)}`;
    case 'ne':
      return dialect.notEqual(col, value, bind);
    case 'sw':
    case 'ew':
    case 'co':
      // Every string starts with, ends with and contains ''; SQLite's substr(x, -0) would not say so.
      if (value === '') return `${col} IS NOT NULL`;
      if (c.op === 'co') return dialect.contains(col, value, bind);
      if (c.op === 'sw') return dialect.startsWith(col, value, charLength(value), bind);
      return dialect.endsWith(col, value, charLength(value), bind);
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

/** An equality on a field no two resources of the type share: id, and a user's userName. */
export function isUniqueLookup(type: 'User' | 'Group', condition: StoreCondition | undefined): condition is Extract<StoreCondition, { value: string }> {
  return condition?.op === 'eq' && (condition.field === 'id' || (condition.field === 'userName' && type === 'User'));
}

/**
 * StoreCondition -> PostgreSQL WHERE fragment (the walk and the semantics: ../condition-sql.ts). The
 * indexed columns are `COLLATE "C"`, so comparisons are by code point as on SQLite. The string tests
 * count characters with left()/right() and strpos(), never LIKE (its wildcards would need escaping).
 */

import { invalidFilter } from '../../scim/errors.js';
import { compileConditionFor, type ConditionDialect, type SqlFragment } from '../condition-sql.js';
import type { StoreCondition } from '../types.js';

const POSTGRES: ConditionDialect = {
  placeholder: (position, value) => {
    // PostgreSQL text cannot hold U+0000, so no stored value has one; the server would refuse the value.
    if (typeof value === 'string' && value.includes('\u0000')) throw invalidFilter('a filter value cannot contain U+0000');
    return `$${position}`;
  },
  false: 'false',
  notEqual: (col, value, bind) => `${col} IS DISTINCT FROM ${bind(value)}`,
  contains: (col, value, bind) => `strpos(${col}, ${bind(value)}) > 0`,
  // The lower bound lets the index narrow the scan; left() decides.
  startsWith: (col, value, length, bind) => `(${col} >= ${bind(value)} AND left(${col}, ${bind(length)}) = ${bind(value)})`,
  endsWith: (col, value, length, bind) => `right(${col}, ${bind(length)}) = ${bind(value)}`,
};

/** Compiles `condition`; its first parameter is `$firstPosition` (the statement binds app and type before it). */
export function compileCondition(condition: StoreCondition, firstPosition = 1): SqlFragment {
  return compileConditionFor(POSTGRES, condition, firstPosition);
}

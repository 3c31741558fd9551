/**
 * StoreCondition -> SQLite WHERE fragment (the walk and the semantics: ../condition-sql.ts). LIKE/GLOB
 * are avoided (wildcards; LIKE folds ASCII only): the string tests count characters with substr() and
 * instr(). String comparison is SQLite's BINARY collation, i.e. UTF-8 byte order (code point order).
 */

import { compileConditionFor, type ConditionDialect, type SqlFragment } from '../condition-sql.js';
import type { StoreCondition } from '../types.js';

export { compileOrder, MAX_CONDITION_DEPTH, MAX_CONDITION_NODES, type SqlFragment, type SqlParam } from '../condition-sql.js';

const SQLITE: ConditionDialect = {
  placeholder: () => '?',
  false: '0',
  notEqual: (col, value, bind) => `${col} IS NOT ${bind(value)}`,
  contains: (col, value, bind) => `instr(${col}, ${bind(value)}) > 0`,
  // The lower bound lets the index narrow the scan; substr decides.
  startsWith: (col, value, length, bind) => `(${col} >= ${bind(value)} AND substr(${col}, 1, ${bind(length)}) = ${bind(value)})`,
  endsWith: (col, value, length, bind) => `substr(${col}, ${bind(-length)}) = ${bind(value)}`,
};

export function compileCondition(condition: StoreCondition): SqlFragment {
  return compileConditionFor(SQLITE, condition);
}

/** The SCIM filter language (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): parse, validate, evaluate, plan. */

export type { AttrPathRef, CompareOp, FilterNode, FilterValue, PatchPath } from './ast.js';
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS, parseAttrPath, parseFilter, parsePatchPath } from './parser.js';
export { validateFilter, validateValueFilter } from './validate.js';
export { compileFilter, compileValueFilter, matchesFilter, matchesValueFilter } from './evaluate.js';
export { indexedFieldOf, planFilter, type FilterPlan } from './plan.js';
export { formatPath, resolveAttribute, type FilterContext } from './target.js';
export { asBoolean, parseInstant } from './compare.js';
export type { Fail } from './lexer.js';

/**
 * Checks a parsed filter against the app's schemas before anything runs it: every path must name an
 * attribute of the resource type, and every operator and value must make sense for that attribute's
 * type (RFC 7644 §3.4.2.2: "gt" on a boolean is an invalidFilter, and so on).
 */

import { invalidFilter } from '../errors.js';
import type { AttributeDefinition } from '../schemas/types.js';
import type { CompareOp, FilterNode, FilterValue } from './ast.js';
import { asBoolean, parseInstant } from './compare.js';
import type { Fail } from './lexer.js';
import { formatPath, resolveRelativeTarget, resolveTarget, resolveValuePathParent, type FilterContext, type Target } from './target.js';

const defaultFail: Fail = (detail) => invalidFilter(detail);

const ORDERING: ReadonlySet<CompareOp> = new Set(['gt', 'ge', 'lt', 'le']);
const SUBSTRING: ReadonlySet<CompareOp> = new Set(['co', 'sw', 'ew']);

/** Throws unless `op value` can be applied to the attribute `def`. */
function checkComparison(op: CompareOp, value: FilterValue, def: AttributeDefinition, text: string, fail: Fail): void {
  const term = `"${text} ${op}"`;
  if (value === null) {
    // `eq null` / `ne null` read as absence / presence; nothing else is meaningful.
    if (op !== 'eq' && op !== 'ne') throw fail(`${term} cannot take null`);
    return;
  }
  switch (def.type) {
    case 'boolean':
      if (op !== 'eq' && op !== 'ne') throw fail(`operator "${op}" does not apply to the boolean attribute "${text}"`);
      if (asBoolean(value) === undefined) throw fail(`${term} needs true or false, not ${JSON.stringify(value)}`);
      return;
    case 'integer':
    case 'decimal':
      if (SUBSTRING.has(op)) throw fail(`operator "${op}" does not apply to the number attribute "${text}"`);
      if (typeof value !== 'number') throw fail(`${term} needs a number, not ${JSON.stringify(value)}`);
      if (def.type === 'integer' && !Number.isInteger(value)) throw fail(`${term} needs an integer, not ${value}`);
      return;
    case 'dateTime':
      if (SUBSTRING.has(op)) throw fail(`operator "${op}" does not apply to the dateTime attribute "${text}"`);
      if (parseInstant(value) === undefined) throw fail(`${term} needs a dateTime string such as "2011-05-13T04:42:34Z", not ${JSON.stringify(value)}`);
      return;
    case 'complex':
      throw fail(`the complex attribute "${text}" cannot be compared; name one of its sub-attributes`);
    default:
      // string, reference, binary; RFC 7644 forbids ordering binary values.
      if (def.type === 'binary' && ORDERING.has(op)) throw fail(`operator "${op}" does not apply to the binary attribute "${text}"`);
      if (typeof value !== 'string') throw fail(`${term} needs a string, not ${JSON.stringify(value)}`);
  }
}

type Resolve = (node: Extract<FilterNode, { kind: 'compare' | 'present' }>, use: 'compare' | 'present') => Target;

function walk(node: FilterNode, resolve: Resolve, valuePath: (node: Extract<FilterNode, { kind: 'valuePath' }>) => void, fail: Fail): void {
  switch (node.kind) {
    case 'compare': {
      const target = resolve(node, 'compare');
      checkComparison(node.op, node.value, target.def, formatPath(node.path), fail);
      return;
    }
    case 'present':
      resolve(node, 'present');
      return;
    case 'and':
    case 'or':
      walk(node.left, resolve, valuePath, fail);
      walk(node.right, resolve, valuePath, fail);
      return;
    case 'not':
      walk(node.filter, resolve, valuePath, fail);
      return;
    case 'valuePath':
      valuePath(node);
  }
}

/**
 * Validates a filter written relative to one element of `parent` (the part in brackets of
 * `emails[type eq "work"]`). `fail` builds the error: invalidFilter by default; the PATCH engine may pass
 * invalidPath.
 */
export function validateValueFilter(node: FilterNode, parent: AttributeDefinition, fail: Fail = defaultFail): void {
  walk(
    node,
    (term, use) => resolveRelativeTarget(term.path, parent, use, fail),
    (inner) => {
      throw fail(`value filters cannot be nested ("${formatPath(inner.path)}[...]" inside "${parent.name}[...]")`);
    },
    fail,
  );
}

/** Validates a whole filter against the resource type's schemas; throws ScimError 400 invalidFilter. */
export function validateFilter(node: FilterNode, ctx: FilterContext): void {
  walk(
    node,
    (term, use) => resolveTarget(term.path, ctx, use, defaultFail),
    (vp) => {
      const { parent } = resolveValuePathParent(vp.path, ctx, defaultFail);
      validateValueFilter(vp.filter, parent, defaultFail);
    },
    defaultFail,
  );
}

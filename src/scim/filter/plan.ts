/**
 * Splits a validated filter into what the store can answer from its indexes and what must be evaluated
 * in memory afterwards, such that `condition AND residual` selects exactly what the filter does.
 *
 * Only comparisons of string values (and `pr`) on indexed fields go down. Under `and`, each conjunct that
 * can go down does; an `or` or `not` goes down whole or not at all, since splitting it would change its
 * meaning. The store's semantics for an absent field match the evaluator's (comparisons false, `ne`
 * true, `pr` false), so pushing `ne` and `not` down is exact.
 */

import { invalidFilter } from '../errors.js';
import { FOLDED_FIELDS, foldCase, type IndexedField, type StoreCondition } from '../../store/types.js';
import type { AttrPathRef, CompareOp, FilterNode } from './ast.js';
import { parseInstant } from './compare.js';
import { formatPath, type FilterContext } from './target.js';
import type { ResolvedAttribute, ResourceTypeName } from '../schemas/registry.js';

export interface FilterPlan {
  /** Answered by the store exactly. */
  condition?: StoreCondition;
  /** Still to be checked in memory on what the store returns. */
  residual?: FilterNode;
}

const SUBSTRING: ReadonlySet<CompareOp> = new Set(['co', 'sw', 'ew']);

/** The store field a path names, if the store indexes it for this resource type. */
function indexedField(path: AttrPathRef, ctx: FilterContext): IndexedField | undefined {
  const resolved = ctx.registry.resolve(ctx.type, path);
  return resolved && indexedFieldOf(resolved, ctx.type);
}

/** The store field that indexes a resolved attribute (filters push down to it, sortBy orders by it). */
export function indexedFieldOf(resolved: ResolvedAttribute, type: ResourceTypeName): IndexedField | undefined {
  if (resolved.extension) return undefined;
  const name = resolved.attribute.name;
  const sub = resolved.sub?.name;
  if (sub === undefined) {
    if (name === 'id' || name === 'externalId' || name === 'displayName') return name;
    if (name === 'userName' && type === 'User') return name;
    return undefined;
  }
  if (name === 'meta' && (sub === 'created' || sub === 'lastModified')) return sub;
  return undefined;
}

/** The store condition equivalent to the whole of `node`, or undefined when some part cannot go down. */
function pushDown(node: FilterNode, ctx: FilterContext): StoreCondition | undefined {
  switch (node.kind) {
    case 'compare': {
      const field = indexedField(node.path, ctx);
      if (field === undefined || typeof node.value !== 'string') return undefined;
      let value = node.value;
      if (field === 'created' || field === 'lastModified') {
        if (SUBSTRING.has(node.op)) return undefined;
        const instant = parseInstant(value);
        if (instant === undefined) throw invalidFilter(`"${formatPath(node.path)} ${node.op}" needs a dateTime string, not ${JSON.stringify(value)}`);
        value = new Date(instant).toISOString();
      } else if (FOLDED_FIELDS.has(field)) {
        value = foldCase(value);
      }
      return { op: node.op, field, value };
    }
    case 'present': {
      const field = indexedField(node.path, ctx);
      return field === undefined ? undefined : { op: 'pr', field };
    }
    case 'and':
    case 'or': {
      const left = pushDown(node.left, ctx);
      const right = left && pushDown(node.right, ctx);
      return left && right ? { op: node.kind, left, right } : undefined;
    }
    case 'not': {
      const condition = pushDown(node.filter, ctx);
      return condition && { op: 'not', condition };
    }
    case 'valuePath':
      return undefined;
  }
}

/** The conjuncts of an `and` tree, left to right (iterative: and-chains can be long). */
function conjuncts(node: FilterNode): FilterNode[] {
  const out: FilterNode[] = [];
  const stack: FilterNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'and') stack.push(n.right, n.left);
    else out.push(n);
  }
  return out;
}

function joinAnd<T>(items: T[], join: (left: T, right: T) => T): T | undefined {
  if (items.length === 0) return undefined;
  return items.reduce((left, right) => join(left, right));
}

/** Splits a validated filter between the store and the in-memory evaluator. */
export function planFilter(node: FilterNode, ctx: FilterContext): FilterPlan {
  const whole = pushDown(node, ctx);
  if (whole) return { condition: whole };

  const pushed: StoreCondition[] = [];
  const rest: FilterNode[] = [];
  for (const c of conjuncts(node)) {
    const condition = pushDown(c, ctx);
    if (condition) pushed.push(condition);
    else rest.push(c);
  }
  if (pushed.length === 0) return { residual: node };
  const plan: FilterPlan = {
    condition: joinAnd<StoreCondition>(pushed, (left, right) => ({ op: 'and', left, right }))!,
  };
  const residual = joinAnd<FilterNode>(rest, (left, right) => ({ kind: 'and', left, right }));
  if (residual) plan.residual = residual;
  return plan;
}

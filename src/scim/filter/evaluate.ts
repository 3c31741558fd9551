/**
 * In-memory evaluation of filters on SCIM resource representations (as returned to clients: core
 * attributes at the top, extension attributes under their schema URN, `meta`, `members`, `groups`).
 *
 * A filter is compiled once into a predicate (paths resolved, types known) and then run per resource.
 * Semantics (RFC 7644 §3.4.2.2, and the store's, which must agree for indexed fields):
 * - a multi-valued attribute matches when ANY of its values does;
 * - an absent attribute fails every comparison except `ne`, which it satisfies; `pr` needs a value
 *   that is not null, "" or [];
 * - `eq null` means "not present", `ne null` "present".
 */

import { invalidFilter } from '../errors.js';
import type { ResourceTypeName, SchemaRegistry } from '../schemas/registry.js';
import type { AttributeDefinition } from '../schemas/types.js';
import type { JsonObject } from '../../store/types.js';
import type { AttrPathRef, FilterNode } from './ast.js';
import { compareValue } from './compare.js';
import type { Fail } from './lexer.js';
import { resolveRelativeTarget, resolveTarget, resolveValuePathParent, type FilterContext, type Target, type TargetUse } from './target.js';
import { validateFilter, validateValueFilter } from './validate.js';

type Predicate = (base: unknown) => boolean;

const fail: Fail = (detail) => invalidFilter(detail);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A key of `obj`, matched exactly first and then ignoring case (attribute names are case-insensitive). */
function getKey(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const wanted = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === wanted) return obj[k];
  return undefined;
}

function pushValue(out: unknown[], value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) if (v !== undefined && v !== null) out.push(v);
  } else if (value !== undefined && value !== null) {
    out.push(value);
  }
}

/**
 * The values at `keys` below `base`, with multi-valued attributes flattened on the way. With
 * `impliedValue`, a bare value where an object with `value` was expected is taken as that value
 * (a manager stored as a plain id).
 */
function collect(base: unknown, keys: readonly string[], impliedValue: boolean): unknown[] {
  let current: unknown[] = [];
  pushValue(current, base);
  keys.forEach((key, i) => {
    const next: unknown[] = [];
    const last = i === keys.length - 1;
    for (const v of current) {
      if (isObject(v)) pushValue(next, getKey(v, key));
      else if (last && impliedValue && typeof v !== 'object') next.push(v);
    }
    current = next;
  });
  return current;
}

/** Present in the sense of `pr`: not null, not "", not an empty array or object. */
function isPresent(value: unknown): boolean {
  if (value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return value !== undefined && value !== null;
}

interface Scope {
  target(path: AttrPathRef, use: TargetUse): Target;
  valuePath(node: Extract<FilterNode, { kind: 'valuePath' }>): Predicate;
}

function valuesOf(target: Target, base: unknown): unknown[] {
  return target.self ? collect(base, [], false) : collect(base, target.keys, target.impliedValue);
}

function compile(node: FilterNode, scope: Scope): Predicate {
  switch (node.kind) {
    case 'compare': {
      const target = scope.target(node.path, 'compare');
      const { op, value } = node;
      if (value === null) {
        const wantPresent = op === 'ne';
        return (base) => valuesOf(target, base).some(isPresent) === wantPresent;
      }
      return (base) => {
        const values = valuesOf(target, base);
        if (values.length === 0) return op === 'ne';
        return values.some((v) => compareValue(v, op, value, target.def));
      };
    }
    case 'present': {
      const target = scope.target(node.path, 'present');
      return (base) => valuesOf(target, base).some(isPresent);
    }
    case 'and': {
      const left = compile(node.left, scope);
      const right = compile(node.right, scope);
      return (base) => left(base) && right(base);
    }
    case 'or': {
      const left = compile(node.left, scope);
      const right = compile(node.right, scope);
      return (base) => left(base) || right(base);
    }
    case 'not': {
      const inner = compile(node.filter, scope);
      return (base) => !inner(base);
    }
    case 'valuePath':
      return scope.valuePath(node);
  }
}

function elementScope(parent: AttributeDefinition): Scope {
  return {
    target: (path, use) => resolveRelativeTarget(path, parent, use, fail),
    valuePath: () => {
      throw fail('value filters cannot be nested');
    },
  };
}

/** Compiles a filter for repeated evaluation; validates it first (throws ScimError 400 invalidFilter). */
export function compileFilter(node: FilterNode, ctx: FilterContext): (resource: JsonObject) => boolean {
  validateFilter(node, ctx);
  const scope: Scope = {
    target: (path, use) => resolveTarget(path, ctx, use, fail),
    valuePath: (vp) => {
      const { keys, parent } = resolveValuePathParent(vp.path, ctx, fail);
      const inner = compile(vp.filter, elementScope(parent));
      // A single-valued complex attribute is its own one element.
      return (base) => collect(base, keys, false).some(inner);
    },
  };
  return compile(node, scope);
}

type Matcher = (resource: JsonObject) => boolean;

/** Compiled filters by tree, registry and type: callers test one (never mutated) tree on many resources. */
const compiled = new WeakMap<FilterNode, WeakMap<SchemaRegistry, Map<ResourceTypeName, Matcher>>>();

/** Whether `resource` matches `node` (validated and compiled once per tree and context). */
export function matchesFilter(resource: JsonObject, node: FilterNode, ctx: FilterContext): boolean {
  let byRegistry = compiled.get(node);
  if (!byRegistry) compiled.set(node, (byRegistry = new WeakMap()));
  let byType = byRegistry.get(ctx.registry);
  if (!byType) byRegistry.set(ctx.registry, (byType = new Map()));
  let match = byType.get(ctx.type);
  if (!match) byType.set(ctx.type, (match = compileFilter(node, ctx)));
  return match(resource);
}

/**
 * Compiles a filter relative to one element of the attribute `parent` (the bracketed part of
 * `members[value eq "x"]`); validates it first, throwing invalidFilter.
 */
export function compileValueFilter(node: FilterNode, parent: AttributeDefinition): (element: unknown) => boolean {
  validateValueFilter(node, parent);
  return compile(node, elementScope(parent));
}

/**
 * Whether one element of a multi-valued (or single-valued complex) attribute satisfies `node`. For an
 * attribute of simple values the element itself is compared when the inner path is `value`.
 */
export function matchesValueFilter(element: unknown, node: FilterNode, parent: AttributeDefinition): boolean {
  return compileValueFilter(node, parent)(element);
}

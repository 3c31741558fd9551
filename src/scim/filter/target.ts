/**
 * Where a filter's attribute path points, and how its values compare: shared by validation, evaluation
 * and planning so the three agree on what every path means.
 */

import { findSubAttribute, type ResolvedAttribute, type ResourceTypeName, type SchemaRegistry } from '../schemas/registry.js';
import { attr, type AttributeDefinition } from '../schemas/types.js';
import type { AttrPathRef } from './ast.js';
import type { Fail } from './lexer.js';

export interface FilterContext {
  registry: SchemaRegistry;
  type: ResourceTypeName;
}

/** How to reach the values a term compares, from its base (the resource, or one element of a valuePath). */
export interface Target {
  /** Canonical keys from the base to the values; arrays met on the way are flattened. */
  keys: string[];
  /** The definition whose type and caseExact govern comparisons. */
  def: AttributeDefinition;
  /**
   * The path named a complex attribute without a sub-attribute and `value` was implied
   * (`emails co "@x"`, Entra's `manager eq "id"`): a bare, non-object value there is compared itself.
   */
  impliedValue: boolean;
  /** The element itself is the value (a multi-valued attribute of simple values, inner path `value`). */
  self: boolean;
}

/**
 * `schemas` is on every resource (RFC 7643 §3) but in no schema's attribute list; RFC 7644's own example
 * filters by it. URIs are matched case-insensitively, as the registry does.
 */
const SCHEMAS_ATTRIBUTE = attr('schemas', 'string', { multiValued: true, mutability: 'readOnly', returned: 'always' });

export function formatPath(ref: AttrPathRef): string {
  return `${ref.uri === undefined ? '' : `${ref.uri}:`}${ref.name}${ref.sub === undefined ? '' : `.${ref.sub}`}`;
}

/** What an operator needs: `pr` looks at the attribute itself, comparisons at its (implied) value. */
export type TargetUse = 'present' | 'compare';

function fromDefinition(keys: string[], def: AttributeDefinition, use: TargetUse, hasSub: boolean, fail: Fail, text: string): Target {
  if (use === 'compare' && !hasSub && def.type === 'complex') {
    const value = findSubAttribute(def, 'value');
    if (!value) throw fail(`the complex attribute "${text}" cannot be compared; name one of its sub-attributes`);
    return { keys: [...keys, value.name], def: value, impliedValue: true, self: false };
  }
  return { keys, def, impliedValue: false, self: false };
}

/**
 * Maps a written path onto an attribute: as the registry does, and for an unqualified name that is not
 * core, onto the one extension that declares it. Entra filters on `manager eq "..."` (ENTRA.md #8)
 * although manager belongs to the enterprise extension. A name two extensions declare stays unknown.
 */
export function resolveAttribute(ref: AttrPathRef, ctx: FilterContext): ResolvedAttribute | undefined {
  const resolved = ctx.registry.resolve(ctx.type, ref);
  if (resolved || ref.uri !== undefined) return resolved;
  const found = ctx.registry
    .extensionSchemas(ctx.type)
    .map((schema) => ctx.registry.resolve(ctx.type, { ...ref, uri: schema.id }))
    .filter((r): r is ResolvedAttribute => r !== undefined);
  return found.length === 1 ? found[0] : undefined;
}

/** Resolves a top-level path of a filter against the resource type's schemas. */
export function resolveTarget(ref: AttrPathRef, ctx: FilterContext, use: TargetUse, fail: Fail): Target {
  const text = formatPath(ref);
  if (ref.uri === undefined && ref.sub === undefined && ref.name.toLowerCase() === 'schemas') {
    return { keys: ['schemas'], def: SCHEMAS_ATTRIBUTE, impliedValue: false, self: false };
  }
  const resolved = resolveAttribute(ref, ctx);
  if (!resolved) throw fail(`unknown attribute "${text}" for ${ctx.type} resources`);
  const def = resolved.sub ?? resolved.attribute;
  // Never-returned attributes (password) are never matched: a filter must not become an oracle for them.
  if (def.returned === 'never' || resolved.attribute.returned === 'never') throw fail(`attribute "${text}" cannot be filtered`);
  return fromDefinition(resolved.keys, def, use, resolved.sub !== undefined, fail, text);
}

/** Resolves the parent of a valuePath (`emails` in `emails[type eq "work"]`). */
export function resolveValuePathParent(ref: AttrPathRef, ctx: FilterContext, fail: Fail): { keys: string[]; parent: AttributeDefinition } {
  const text = formatPath(ref);
  const resolved = resolveAttribute(ref, ctx);
  if (!resolved) throw fail(`unknown attribute "${text}" for ${ctx.type} resources`);
  const parent = resolved.sub ?? resolved.attribute;
  checkValueFilterParent(parent, text, fail);
  return { keys: resolved.keys, parent };
}

export function checkValueFilterParent(parent: AttributeDefinition, text: string, fail: Fail): void {
  if (parent.type !== 'complex' && !parent.multiValued) throw fail(`"${text}" is neither complex nor multi-valued; it takes no value filter`);
  if (parent.returned === 'never') throw fail(`attribute "${text}" cannot be filtered`);
}

/** Resolves a path inside brackets, relative to one element of `parent`. */
export function resolveRelativeTarget(ref: AttrPathRef, parent: AttributeDefinition, use: TargetUse, fail: Fail): Target {
  const text = formatPath(ref);
  if (ref.uri !== undefined || ref.sub !== undefined) {
    throw fail(`"${text}" inside "${parent.name}[...]" must be a plain sub-attribute name`);
  }
  if (parent.type !== 'complex') {
    // A multi-valued attribute of simple values: its elements are addressed as `value` (RFC 7644 §3.5.2).
    if (ref.name.toLowerCase() !== 'value') throw fail(`"${parent.name}" has simple values; address them as "value", not "${text}"`);
    return { keys: [], def: { ...parent, multiValued: false }, impliedValue: false, self: true };
  }
  const sub = findSubAttribute(parent, ref.name);
  if (!sub) throw fail(`unknown sub-attribute "${text}" of "${parent.name}"`);
  if (sub.returned === 'never') throw fail(`attribute "${parent.name}.${text}" cannot be filtered`);
  return fromDefinition([sub.name], sub, use, false, fail, `${parent.name}.${text}`);
}

/**
 * Partial representations (RFC 7644 §3.4.2.5, §3.9): the `attributes` and `excludedAttributes`
 * parameters, applied with each attribute's `returned` characteristic (RFC 7643 §7). Entra reads groups
 * with `excludedAttributes=members` and probes `attributes=id` (ENTRA.md #8, #14).
 */

import type { JsonObject } from '../store/types.js';
import { invalidValue } from './errors.js';
import type { AttrPathRef } from './filter/ast.js';
import { parseAttrPath } from './filter/index.js';
import { cloneJson } from './patch/json.js';
import { commonAttributes } from './schemas/core.js';
import type { ResourceTypeName, SchemaRegistry } from './schemas/registry.js';
import { attr, type AttributeDefinition } from './schemas/types.js';
import { isPlainObject, quote, setOwn } from './validate/json.js';

export interface ProjectionOptions {
  attributes?: AttrPathRef[];
  excludedAttributes?: AttrPathRef[];
}

export interface ProjectionContext {
  registry: SchemaRegistry;
  type: ResourceTypeName;
}

const lower = (s: string) => s.toLowerCase();

/** Longest attribute list accepted; far above any real one, it keeps hostile parameters cheap. */
const MAX_LIST_LENGTH = 16 * 1024;

/**
 * Reads an `attributes` / `excludedAttributes` value: a comma-separated string, or several (a repeated
 * query parameter), each entry `[uri ":"] name ["." sub]`. Undefined when absent or empty. A malformed
 * entry is refused (invalidValue: RFC 7644 names no scimType for it); a well-formed name the schema
 * lacks is kept and later ignored, as RFC 7644 §3.4.2.5 wants.
 */
export function parseAttributeList(param: unknown, parameterName = 'attributes'): AttrPathRef[] | undefined {
  if (param === undefined || param === null) return undefined;
  const parts = typeof param === 'string' ? [param] : Array.isArray(param) ? param : undefined;
  if (!parts || !parts.every((p): p is string => typeof p === 'string')) {
    throw invalidValue(`"${parameterName}" must be a comma-separated list of attribute names`);
  }
  if (parts.reduce((n, p) => n + p.length + 1, 0) > MAX_LIST_LENGTH) {
    throw invalidValue(`"${parameterName}" is too long`);
  }
  const refs: AttrPathRef[] = [];
  for (const entry of parts.flatMap((p) => p.split(','))) {
    const text = entry.trim();
    if (text === '') continue;
    const ref = parseAttrPath(text);
    if (!ref) throw invalidValue(`${quote(text)} in "${parameterName}" is not an attribute name`);
    refs.push(ref);
  }
  return refs.length > 0 ? refs : undefined;
}

/** The named paths as a tree of canonical keys, folded: `emails.value` is emails → value. */
interface Selection {
  whole: boolean;
  children: Map<string, Selection>;
}

/** Where a walk stands in a Selection: `whole` when this path or one above it was named as a whole. */
interface Cursor {
  whole: boolean;
  node: Selection | undefined;
}

const emptySelection = (): Selection => ({ whole: false, children: new Map() });

function buildSelection(refs: AttrPathRef[] | undefined, ctx: ProjectionContext): Cursor | null {
  if (!refs || refs.length === 0) return null;
  const root = emptySelection();
  for (const ref of refs) {
    const extension = ctx.registry.extensionSchemaOfPath(ctx.type, ref);
    const keys = extension ? [extension.id] : ctx.registry.resolve(ctx.type, ref)?.keys;
    if (!keys) continue; // unknown to the schema: ignored
    let node = root;
    for (const key of keys) {
      let child = node.children.get(lower(key));
      if (!child) node.children.set(lower(key), (child = emptySelection()));
      node = child;
    }
    node.whole = true;
  }
  return { whole: false, node: root };
}

function step(cursor: Cursor | null, key: string): Cursor | null {
  if (!cursor) return null;
  const node = cursor.node?.children.get(lower(key));
  return { whole: cursor.whole || node?.whole === true, node };
}

/**
 * The representation to return: only named attributes (plus `returned: always` ones) when `attributes`
 * is given, minus excluded ones (never an always-returned one), never a `returned: never` attribute, and
 * `request` ones only when named. `schemas` lists the core URN and the extensions still present.
 * The input is not modified.
 */
export function project(resource: JsonObject, opts: ProjectionOptions, ctx: ProjectionContext): JsonObject {
  const include = buildSelection(opts.attributes, ctx);
  const exclude = buildSelection(opts.excludedAttributes, ctx);
  const core = ctx.registry.coreSchema(ctx.type);
  const out: JsonObject = {};
  setOwn(out, 'schemas', []); // first key, filled in at the end
  const present: string[] = [];

  for (const key of Object.keys(resource)) {
    if (lower(key) === 'schemas') continue;
    const extension = ctx.registry.extensionSchema(ctx.type, key);
    // An extension object is projected like a complex attribute whose sub-attributes are the extension's.
    const def = extension
      ? attr(extension.id, 'complex', { subAttributes: extension.attributes })
      : (findAttribute(core.attributes, key) ?? findAttribute(commonAttributes, key) ?? attr(key, 'string'));
    const value = projectValue(def, resource[key], step(include, key), step(exclude, key));
    if (value === undefined) continue;
    setOwn(out, key, value);
    if (extension) present.push(extension.id);
  }
  const extensions = ctx.registry.extensionSchemas(ctx.type).filter((s) => present.includes(s.id));
  setOwn(out, 'schemas', [core.id, ...extensions.map((s) => s.id)]);
  return out;
}

function findAttribute(list: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  const wanted = lower(name);
  return list?.find((a) => lower(a.name) === wanted);
}

function projectValue(def: AttributeDefinition, value: unknown, include: Cursor | null, exclude: Cursor | null): unknown {
  if (def.returned === 'never') return undefined;
  const always = def.returned === 'always';
  if (!always) {
    if (include) {
      if (!include.whole && !include.node) return undefined;
    } else if (def.returned === 'request') {
      return undefined;
    }
    if (exclude?.whole) return undefined;
  }
  const subs = def.subAttributes;
  if (def.type !== 'complex' || !subs) return cloneJson(value);
  // An always-returned attribute comes whole, whatever was named or excluded beneath it.
  const subInclude = always ? null : include;
  const subExclude = always ? null : exclude;
  const pick = (element: unknown) =>
    isPlainObject(element) ? projectObject(element, subs, subInclude, subExclude) : cloneJson(element);
  if (!def.multiValued) return pick(value);
  if (!Array.isArray(value)) return cloneJson(value);
  // With `emails.value`, an email without a value has nothing left to show.
  const elements = value.map(pick).filter((e) => e !== undefined);
  return elements.length > 0 ? elements : undefined;
}

function projectObject(
  obj: JsonObject,
  defs: readonly AttributeDefinition[],
  include: Cursor | null,
  exclude: Cursor | null,
): JsonObject | undefined {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) {
    const def = findAttribute(defs, key) ?? attr(key, 'string');
    const value = projectValue(def, obj[key], step(include, key), step(exclude, key));
    if (value !== undefined) setOwn(out, key, value);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * SCIM attribute paths in a plugin (`name.givenName`, `emails[type eq "work"].value`, `members.value`,
 * `urn:…:enterprise:2.0:User:manager.value`, or with an alias: `enterprise.manager.value`), resolved
 * against the plugin's schemas once at load, then read from and written to resources.
 */
import type { FilterNode } from '../scim/filter/ast.js';
import { compileValueFilter, parsePatchPath, resolveAttribute } from '../scim/filter/index.js';
import { ScimError } from '../scim/errors.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';
import { findSubAttribute } from '../scim/schemas/registry.js';
import type { AttributeDefinition } from '../scim/schemas/types.js';
import type { JsonObject } from '../store/types.js';

export interface ScimPath {
  text: string;
  /** Canonical keys from the resource root to the attribute (`['emails']`, `[urn, 'manager']`). */
  keys: string[];
  attribute: AttributeDefinition;
  /** The sub-attribute after the attribute or after the brackets. */
  sub?: string;
  /** The bracketed filter, compiled against one element. */
  matches?: (element: unknown) => boolean;
  /** `type eq "work"` as `{ type: 'work' }`: what a written element must carry; undefined when not writable. */
  equalities?: Record<string, unknown>;
}

export interface PathScope {
  registry: SchemaRegistry;
  type: ResourceTypeName;
  /** alias → schema URN. */
  aliases: ReadonlyMap<string, string>;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `enterprise.manager.value` → `urn:…:enterprise:2.0:User:manager.value`; other paths stay. */
function expandAlias(text: string, aliases: ReadonlyMap<string, string>): string {
  const m = /^([A-Za-z][A-Za-z0-9_]*)\.(.+)$/.exec(text);
  if (!m) return text;
  const urn = aliases.get(m[1]!);
  return urn === undefined ? text : `${urn}:${m[2]}`;
}

/** Compiles a path or throws an Error whose message says what is wrong. */
export function compileScimPath(text: string, scope: PathScope): ScimPath {
  let parsed;
  try {
    parsed = parsePatchPath(expandAlias(text, scope.aliases));
  } catch (error) {
    const head = /^([A-Za-z][A-Za-z0-9_]*)\.[^[]*\./.exec(text)?.[1];
    if (head !== undefined && !scope.registry.resolve(scope.type, { name: head })) {
      // `boss.manager.value`: three segments only make sense after an alias.
      throw new Error(`"${head}" is neither an attribute nor an alias (aliases: ${[...scope.aliases.keys()].join(', ') || 'none'})`);
    }
    throw new Error(`"${text}" is not a SCIM attribute path: ${error instanceof Error ? error.message : String(error)}`);
  }
  const resolved = resolveAttribute(parsed.attr, { registry: scope.registry, type: scope.type });
  if (!resolved) {
    const first = /^[A-Za-z][A-Za-z0-9_]*(?=\.)/.exec(text)?.[0];
    const hint = first && !parsed.attr.uri ? ` ("${first}" is neither an attribute nor an alias; aliases: ${[...scope.aliases.keys()].join(', ') || 'none'})` : '';
    throw new Error(`unknown attribute "${text}" for ${scope.type} resources${hint}`);
  }
  const attribute = resolved.attribute;
  const keys = resolved.extension ? [resolved.schema, attribute.name] : [attribute.name];
  const path: ScimPath = { text, keys, attribute };
  if (resolved.sub) path.sub = resolved.sub.name;
  if (parsed.filter) {
    if (resolved.sub) throw new Error(`"${text}": a filter goes on the attribute, before its sub-attribute`);
    let matcher: (element: unknown) => boolean;
    try {
      matcher = compileValueFilter(parsed.filter, attribute);
    } catch (error) {
      throw new Error(`"${text}": ${error instanceof ScimError ? error.message : String(error)}`);
    }
    path.matches = matcher;
    path.equalities = equalitiesOf(parsed.filter, attribute);
    if (parsed.subAfterFilter !== undefined) {
      const sub = findSubAttribute(attribute, parsed.subAfterFilter);
      if (!sub) throw new Error(`"${text}": "${attribute.name}" has no sub-attribute "${parsed.subAfterFilter}"`);
      path.sub = sub.name;
    }
  }
  return path;
}

/** The `a eq v and b eq w` terms of a filter, with canonical names; undefined when it has others. */
function equalitiesOf(node: FilterNode, parent: AttributeDefinition): Record<string, unknown> | undefined {
  if (node.kind === 'and') {
    const left = equalitiesOf(node.left, parent);
    const right = equalitiesOf(node.right, parent);
    return left && right ? { ...left, ...right } : undefined;
  }
  if (node.kind !== 'compare' || node.op !== 'eq' || node.path.uri !== undefined || node.path.sub !== undefined) return undefined;
  const sub = findSubAttribute(parent, node.path.name);
  return sub ? { [sub.name]: node.value } : undefined;
}

/** Where a compiled path can be written, or why it cannot (checked at load for toScim targets). */
export function whyNotWritable(path: ScimPath, multipleValues: boolean): string | undefined {
  if (path.attribute.mutability === 'readOnly') return `"${path.text}" is read-only`;
  if (path.attribute.returned === 'never') return `"${path.text}" is write-only (returned: never): a native record cannot supply it`;
  if (!path.attribute.multiValued) return undefined;
  if (path.matches) return path.equalities ? undefined : `"${path.text}": only filters of "eq" terms joined by "and" can be written`;
  if (path.sub && multipleValues) return undefined; // members.value: one element per value
  return `"${path.text}" is multi-valued: write it with a filter (e.g. emails[type eq "work"].value)`;
}

/** A key of `obj` equal to `name` ignoring case. */
function keyOf(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const wanted = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === wanted);
}

function child(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  const key = keyOf(obj, name);
  return key === undefined ? undefined : obj[key];
}

/**
 * The value at `path`: a single value, or for a multi-valued attribute without a filter, the array of
 * its elements' sub-attribute (`members.value` → ids). A filtered path yields its first match.
 */
export function readScim(resource: JsonObject, path: ScimPath): unknown {
  let value: unknown = resource;
  for (const key of path.keys) value = child(value, key);
  if (value === undefined || value === null) return undefined;
  if (path.attribute.multiValued) {
    const elements = Array.isArray(value) ? value : [value];
    if (path.matches) {
      const found = elements.find((e) => path.matches!(e));
      return found === undefined ? undefined : path.sub ? child(found, path.sub) : found;
    }
    if (!path.sub) return elements;
    return elements.map((e) => child(e, path.sub!)).filter((v) => v !== undefined && v !== null);
  }
  if (path.matches && !path.matches(value)) return undefined;
  return path.sub ? child(value, path.sub) : value;
}

/** Writes `value` at `path` (which whyNotWritable accepted), creating what is missing. */
export function writeScim(resource: JsonObject, path: ScimPath, value: unknown): void {
  let parent = resource;
  for (const key of path.keys.slice(0, -1)) {
    const next = parent[key];
    if (!isObject(next)) parent[key] = {};
    parent = parent[key] as JsonObject;
  }
  const last = path.keys[path.keys.length - 1]!;
  if (!path.attribute.multiValued) {
    if (!path.sub) {
      parent[last] = value;
      return;
    }
    const target = isObject(parent[last]) ? (parent[last] as JsonObject) : (parent[last] = {} as JsonObject);
    target[path.sub] = value;
    return;
  }
  const list = Array.isArray(parent[last]) ? (parent[last] as unknown[]) : (parent[last] = [] as unknown[]);
  if (!path.matches) {
    for (const v of Array.isArray(value) ? value : [value]) list.push({ [path.sub!]: v });
    return;
  }
  let element = list.find((e) => path.matches!(e)) as JsonObject | undefined;
  if (!element) {
    element = { ...path.equalities };
    list.push(element);
  }
  if (path.sub) element[path.sub] = value;
  else if (isObject(value)) Object.assign(element, value);
}

/**
 * Operations whose path carries a value filter (RFC 7644 §3.5.2 `valuePath`): `emails[type eq "work"]`,
 * `emails[type eq "work"].value`, `members[value eq "id"]`, and on the single-valued complex manager
 * `manager[value eq "id"]`, which acts on the one value when it matches.
 */
import { invalidPath, noTarget, ScimError } from '../errors.js';
import type { FilterNode } from '../filter/ast.js';
import { compileValueFilter } from '../filter/index.js';
import { findSubAttribute } from '../schemas/registry.js';
import { foldCase } from '../../store/types.js';
import type { AttributeDefinition } from '../schemas/types.js';
import { cloneJson, deleteAttr, getAttr, isObject, quote, setAttr, type JsonObject } from './json.js';
import type { PatchOpName } from './operation.js';
import { currentList, mergeSubAttributes } from './values.js';

export interface FilteredTarget {
  path: string;
  attr: AttributeDefinition;
  filter: FilterNode;
  sub?: AttributeDefinition;
}

export function applyFiltered(container: JsonObject, target: FilteredTarget, op: PatchOpName, value: unknown): void {
  const { attr, filter, sub } = target;
  const single = getAttr(container, attr.name);
  const elements = attr.multiValued ? [...currentList(container, attr)] : isObject(single) ? [single] : [];
  const matches = compileInPath(filter, attr, target.path);
  const matched = new Set(elements.filter((e) => matches(e)));

  // remove, and add/replace of null (unassigned, RFC 7643 §2.5). Nothing matching is not an error: Entra
  // removes members and managers that may already be gone, and retries; the end state is what it asked.
  if (op === 'remove' || value === null) {
    if (sub) {
      for (const e of matched) if (isObject(e)) deleteAttr(e, sub.name);
    } else if (attr.multiValued) {
      setAttr(container, attr.name, elements.filter((e) => !matched.has(e)));
    } else if (matched.size > 0) {
      deleteAttr(container, attr.name);
    }
    return;
  }

  if (matched.size === 0) {
    // "add" to a filter that matches nothing creates the element the filter describes: Entra adds a
    // user's first work email as `emails[type eq "work"].value`. "replace" must find a target (§3.5.2.3).
    const created = op === 'add' && attr.multiValued ? equalityTemplate(filter, attr) : undefined;
    if (!created) throw noTarget(`No value matches ${quote(target.path)}`);
    write(created, attr, sub, value);
    elements.push(created);
  } else {
    for (const e of matched) if (isObject(e)) write(e, attr, sub, value);
  }
  setAttr(container, attr.name, attr.multiValued ? elements : elements[0]);
}

/**
 * `sub eq "text"` on a single-valued string sub-attribute: the filter of a removal by id
 * (`members[value eq "id"]`), which removeEqual can apply for many texts in one pass.
 */
export function equalityOf(filter: FilterNode, attr: AttributeDefinition): { sub: AttributeDefinition; text: string } | undefined {
  if (!attr.multiValued || filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  if (filter.path.uri !== undefined || filter.path.sub !== undefined) return undefined;
  const sub = findSubAttribute(attr, filter.path.name);
  if (!sub || sub.multiValued || (sub.type !== 'string' && sub.type !== 'reference')) return undefined;
  return { sub, text: filter.value };
}

/**
 * Removes every element whose `sub` equals one of `texts` as the filter `sub eq "text"` compares (folded
 * unless caseExact, RFC 7644 §3.4.2.2): one pass over the elements, whatever the number of texts.
 */
export function removeEqual(container: JsonObject, attr: AttributeDefinition, sub: AttributeDefinition, texts: readonly string[]): void {
  const key = (text: string) => (sub.caseExact ? text : foldCase(text));
  const wanted = new Set(texts.map(key));
  const matches = (element: unknown): boolean => {
    if (!isObject(element)) return false;
    const value = getAttr(element, sub.name);
    return (Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && wanted.has(key(v)));
  };
  setAttr(container, attr.name, currentList(container, attr).filter((e) => !matches(e)));
}

/** The filter as a predicate; a filter naming what the attribute lacks makes the path invalid (§3.5.2). */
function compileInPath(filter: FilterNode, attr: AttributeDefinition, path: string): (element: unknown) => boolean {
  try {
    return compileValueFilter(filter, attr);
  } catch (err) {
    if (err instanceof ScimError && err.scimType === 'invalidFilter') throw invalidPath(`${quote(path)}: ${err.message}`);
    throw err;
  }
}

/** Sets the addressed sub-attribute, or merges an object of sub-attributes into the element. */
function write(element: JsonObject, attr: AttributeDefinition, sub: AttributeDefinition | undefined, value: unknown): void {
  if (sub) setAttr(element, sub.name, cloneJson(value));
  else mergeSubAttributes(element, attr, value);
}

/**
 * The element a filter of `eq` comparisons joined by `and` describes (`type eq "work"` → {type: "work"}),
 * or undefined when the filter says anything else and so names no single new element.
 */
function equalityTemplate(filter: FilterNode, attr: AttributeDefinition): JsonObject | undefined {
  const out: JsonObject = {};
  const collect = (node: FilterNode): boolean => {
    if (node.kind === 'and') return collect(node.left) && collect(node.right);
    if (node.kind !== 'compare' || node.op !== 'eq' || node.value === null) return false;
    if (node.path.uri !== undefined || node.path.sub !== undefined) return false;
    const sub = findSubAttribute(attr, node.path.name);
    if (!sub) return false;
    setAttr(out, sub.name, node.value);
    return true;
  };
  return collect(filter) ? out : undefined;
}

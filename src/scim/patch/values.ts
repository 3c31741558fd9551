/**
 * Adding and replacing whole attribute values in a container (the resource root or an extension
 * object), RFC 7644 §3.5.2.1 and §3.5.2.3. Values are deep-copied on the way in; `null` unassigns
 * (RFC 7643 §2.5).
 */
import { invalidValue } from '../errors.js';
import { findSubAttribute } from '../schemas/registry.js';
import type { AttributeDefinition } from '../schemas/types.js';
import { cloneJson, deleteAttr, getAttr, isObject, jsonEqual, quote, setAttr, type JsonObject } from './json.js';

/** The current elements of a multi-valued attribute (a stray single value counts as one element). */
export function currentList(container: JsonObject, attr: AttributeDefinition): unknown[] {
  const existing = getAttr(container, attr.name);
  if (Array.isArray(existing)) return existing;
  return existing === undefined || existing === null ? [] : [existing];
}

/**
 * Whether `item` is already among `list`. Elements that reference a resource (they have a `$ref`
 * sub-attribute: group members) are the same when their `value` is, so re-adding a member that
 * was sent before with another `display` does not list it twice; other elements must be equal.
 */
function contains(list: unknown[], item: unknown, attr: AttributeDefinition): boolean {
  const byValue = attr.type === 'complex' && findSubAttribute(attr, '$ref') !== undefined;
  if (byValue && isObject(item)) {
    const id = getAttr(item, 'value');
    if (typeof id === 'string') return list.some((e) => isObject(e) && getAttr(e, 'value') === id);
  }
  return list.some((e) => jsonEqual(e, item));
}

/** Sets each given sub-attribute of a complex value under its canonical name; the others stay. */
export function mergeSubAttributes(target: JsonObject, attr: AttributeDefinition, value: unknown): void {
  if (!isObject(value)) throw invalidValue(`The value for ${quote(attr.name)} must be an object of sub-attributes`);
  for (const key of Object.keys(value)) {
    const sub = findSubAttribute(attr, key);
    if (!sub) throw invalidValue(`The value for ${quote(attr.name)} has no sub-attribute ${quote(key)}`);
    const v = value[key];
    if (v === null) deleteAttr(target, sub.name);
    else setAttr(target, sub.name, cloneJson(v));
  }
}

/**
 * "add": a multi-valued attribute gets the new values appended (those already present are skipped),
 * a complex one gets the given sub-attributes merged in, a simple one is set.
 */
export function addValue(container: JsonObject, attr: AttributeDefinition, value: unknown): void {
  if (value === null) return deleteAttr(container, attr.name);
  if (attr.multiValued) {
    const list = [...currentList(container, attr)];
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null) continue;
      const copy = cloneJson(item);
      if (!contains(list, copy, attr)) list.push(copy);
    }
    return setAttr(container, attr.name, list);
  }
  if (attr.type === 'complex') {
    const existing = getAttr(container, attr.name);
    const merged: JsonObject = isObject(existing) ? existing : {};
    mergeSubAttributes(merged, attr, value);
    return setAttr(container, attr.name, merged);
  }
  setAttr(container, attr.name, cloneJson(value));
}

/**
 * "replace": the attribute takes exactly the given value; a multi-valued one is replaced as a whole
 * list (RFC 7644 §3.5.2.3 "no filter"). A single complex attribute is replaced whole as well, not
 * merged: its sub-attributes describe one value together (manager `value` and `$ref`), and keeping
 * the old `$ref` beside a new `value` would leave a reference to the previous manager.
 */
export function replaceValue(container: JsonObject, attr: AttributeDefinition, value: unknown): void {
  if (value === null) return deleteAttr(container, attr.name);
  if (attr.multiValued) {
    const items = (Array.isArray(value) ? value : [value]).filter((v) => v !== null);
    return setAttr(container, attr.name, items.map((v) => cloneJson(v)));
  }
  if (attr.type === 'complex' && !isObject(value)) {
    throw invalidValue(`The value for ${quote(attr.name)} must be an object of sub-attributes`);
  }
  setAttr(container, attr.name, cloneJson(value));
}

/**
 * Adding and replacing whole attribute values in a container (the resource root or an extension
 * object), RFC 7644 §3.5.2.1 and §3.5.2.3. Values are deep-copied on the way in; `null` unassigns
 * (RFC 7643 §2.5).
 */
import { invalidValue } from '../errors.js';
import { findSubAttribute } from '../schemas/registry.js';
import type { AttributeDefinition } from '../schemas/types.js';
import { canonicalJson, cloneJson, deleteAttr, getAttr, isObject, quote, setAttr, type JsonObject } from './json.js';

/** The current elements of a multi-valued attribute (a stray single value counts as one element). */
export function currentList(container: JsonObject, attr: AttributeDefinition): unknown[] {
  const existing = getAttr(container, attr.name);
  if (Array.isArray(existing)) return existing;
  return existing === undefined || existing === null ? [] : [existing];
}

/**
 * The elements of a multi-valued attribute, indexed so that "is this one already here?" costs O(1)
 * rather than a walk of the list (a group of 50,000 members would otherwise cost 50,000² steps per
 * add). Elements that reference a resource (they have a `$ref` sub-attribute: group members) are the
 * same when their `value` is, so re-adding a member that was sent before with another `display` does
 * not list it twice; other elements must be equal, which their canonical JSON text decides.
 */
class ElementIndex {
  private readonly byValue: boolean;
  private readonly ids = new Set<string>();
  /** Canonical JSON of every element, built on the first lookup of an element without an id. */
  private shapes: Set<string> | undefined;

  constructor(
    readonly elements: unknown[],
    attr: AttributeDefinition,
  ) {
    this.byValue = attr.type === 'complex' && findSubAttribute(attr, '$ref') !== undefined;
    for (const element of elements) this.index(element);
  }

  has(item: unknown): boolean {
    const id = this.idOf(item);
    return id !== undefined ? this.ids.has(id) : this.shapeSet().has(canonicalJson(item));
  }

  push(item: unknown): void {
    this.elements.push(item);
    this.index(item);
  }

  private index(item: unknown): void {
    const id = this.idOf(item);
    if (id !== undefined) this.ids.add(id);
    this.shapes?.add(canonicalJson(item));
  }

  private shapeSet(): Set<string> {
    this.shapes ??= new Set(this.elements.map(canonicalJson));
    return this.shapes;
  }

  private idOf(item: unknown): string | undefined {
    if (!this.byValue || !isObject(item)) return undefined;
    const id = getAttr(item, 'value');
    return typeof id === 'string' ? id : undefined;
  }
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
    const list = new ElementIndex([...currentList(container, attr)], attr);
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null) continue;
      const copy = cloneJson(item);
      if (!list.has(copy)) list.push(copy);
    }
    return setAttr(container, attr.name, list.elements);
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

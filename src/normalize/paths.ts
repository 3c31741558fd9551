/**
 * Attribute paths of a canonical SCIM resource as the normalize section names them: `userName`,
 * `name.givenName`, `urn:…:User:startDate` (the URN is everything before the last colon). Keys are
 * matched ignoring case, as every SCIM name is (RFC 7643 §2.1).
 */
import type { JsonObject } from '../store/types.js';
import { findKey, isObject } from '../scim/patch/json.js';

export interface AttributePath {
  /** The extension URN, absent for a core attribute. */
  urn?: string;
  /** The attribute and, optionally, one sub-attribute. */
  names: [string] | [string, string];
}

export function parseAttributePath(path: string): AttributePath {
  const colon = path.lastIndexOf(':');
  const urn = colon > 0 ? path.slice(0, colon) : undefined;
  const [name, sub] = path.slice(colon + 1).split('.') as [string, string?];
  return { ...(urn ? { urn } : {}), names: sub === undefined ? [name] : [name, sub] };
}

/** The objects along the path that hold the attribute: [container, key] of the leaf, or undefined. */
function leaf(resource: JsonObject, path: AttributePath, create: boolean): [JsonObject, string] | undefined {
  let container: JsonObject = resource;
  const steps = path.urn ? [path.urn, ...path.names] : [...path.names];
  for (const step of steps.slice(0, -1)) {
    const key = findKey(container, step);
    const next = key === undefined ? undefined : container[key];
    if (isObject(next)) {
      container = next;
      continue;
    }
    if (!create) return undefined;
    const made: JsonObject = {};
    container[key ?? step] = made;
    container = made;
  }
  const last = steps[steps.length - 1]!;
  return [container, findKey(container, last) ?? last];
}

export function getAt(resource: JsonObject, path: AttributePath): unknown {
  const found = leaf(resource, path, false);
  return found ? found[0][found[1]] : undefined;
}

export function setAt(resource: JsonObject, path: AttributePath, value: unknown): void {
  const [container, key] = leaf(resource, path, true)!;
  container[key] = value as JsonObject[string];
}

/** Removes the attribute; an extension or complex attribute left empty goes too (a SCIM resource has no `{}`). */
export function deleteAt(resource: JsonObject, path: AttributePath): void {
  const steps = path.urn ? [path.urn, ...path.names] : [...path.names];
  // The containers from the resource down to the leaf's holder, each with the key that leads on.
  const trail: [JsonObject, string][] = [];
  let container: JsonObject = resource;
  for (const step of steps) {
    const key = findKey(container, step);
    if (key === undefined) return;
    trail.push([container, key]);
    const next = container[key];
    if (trail.length < steps.length) {
      if (!isObject(next)) return;
      container = next;
    }
  }
  const [holder, key] = trail.pop()!;
  delete holder[key];
  for (let i = trail.length - 1; i >= 0; i -= 1) {
    const [parent, k] = trail[i]!;
    const value = parent[k];
    if (!isObject(value) || Object.keys(value).length > 0) return;
    delete parent[k];
  }
}

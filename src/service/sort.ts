/**
 * In-memory ordering for sortBy on attributes the store does not index (RFC 7644 §3.4.2.3): a
 * multi-valued attribute sorts by its primary (else first) value; resources without a value sort last
 * whatever the order.
 */
import type { ResolvedAttribute } from '../scim/schemas/registry.js';
import type { AttributeDefinition } from '../scim/schemas/types.js';
import type { JsonObject } from '../store/types.js';

type Key = string | number | boolean | undefined;

function pickElement(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const primary = value.find((e) => typeof e === 'object' && e !== null && (e as JsonObject).primary === true);
  return primary ?? value[0];
}

function keyOf(resource: JsonObject, resolved: ResolvedAttribute): Key {
  let current: unknown = resource;
  const { keys } = resolved;
  for (let i = 0; i < keys.length; i += 1) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = pickElement((current as JsonObject)[keys[i]!]);
  }
  // A complex attribute without a sub-attribute sorts by its value (e.g. emails → emails.value).
  if (typeof current === 'object' && current !== null) current = (current as JsonObject).value;
  const def: AttributeDefinition = resolved.sub ?? resolved.attribute;
  if (typeof current === 'string') {
    if (def.type === 'dateTime') {
      const t = Date.parse(current);
      return Number.isNaN(t) ? current : t;
    }
    return def.caseExact ? current : current.toLowerCase();
  }
  if (typeof current === 'number' || typeof current === 'boolean') return current;
  return undefined;
}

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Sorts in place; ties keep their previous (creation) order. */
export function sortResources(resources: JsonObject[], resolved: ResolvedAttribute, descending: boolean): JsonObject[] {
  const keyed = resources.map((r, i) => ({ r, i, k: keyOf(r, resolved) }));
  keyed.sort((x, y) => {
    if (x.k === undefined || y.k === undefined) {
      if (x.k === y.k) return x.i - y.i;
      return x.k === undefined ? 1 : -1;
    }
    const c = compareKeys(x.k, y.k);
    return c === 0 ? x.i - y.i : descending ? -c : c;
  });
  return keyed.map((e) => e.r);
}

/**
 * Which filters are worth a downstream lookup, and as what: one function, so the gateway and `explain`
 * ask the connector exactly the same question for the same filter.
 */
import type { NativeLookup } from '../connectors/types.js';
import type { FilterNode } from '../scim/filter/ast.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';

/**
 * `attr eq "value"` on a string attribute, as the canonical path a connector knows: case and URN prefix
 * resolved through the app's schemas, a multi-valued attribute's `value` made explicit (`emails eq "x"`
 * means `emails.value eq "x"`, RFC 7644 §3.4.2.2). Undefined for any other filter.
 */
export function nativeLookupOf(registry: SchemaRegistry, type: ResourceTypeName, filter: FilterNode): NativeLookup | undefined {
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  const resolved = registry.resolve(type, filter.path);
  if (!resolved) return undefined;
  const keys = resolved.extension ? resolved.keys.slice(1) : resolved.keys;
  const path = resolved.attribute.multiValued && !resolved.sub ? `${keys.join('.')}.value` : keys.join('.');
  return { path: resolved.extension ? `${resolved.schema}:${path}` : path, value: filter.value };
}

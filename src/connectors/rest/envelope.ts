/**
 * The body of a create or update around its mapped fields: the operation's `body` template with the
 * string "{fields}" standing for them (`{ employee: "{fields}" }`, or `["{fields}"]` for a bulk endpoint
 * that takes a list), other parameters rendered as in any template. Without a template the fields are
 * the body.
 */
import type { JsonObject } from '../../store/types.js';
import { FIELDS_PLACEHOLDER } from '../../plugins/compile-resource.js';
import { renderValue } from '../../plugins/templates.js';

export function wrapFields(envelope: unknown, fields: JsonObject, params: Readonly<Record<string, string>>): JsonObject {
  if (envelope === undefined) return fields;
  const place = (node: unknown): unknown => {
    if (node === FIELDS_PLACEHOLDER) return fields;
    if (typeof node === 'string') return renderValue(node, params);
    if (Array.isArray(node)) return node.map(place);
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, place(v)]));
    return node;
  };
  // A list body (bulk endpoints) travels as JSON all the same; the type says object for the hooks' sake.
  return place(envelope) as JsonObject;
}

/**
 * Attributes one app requires beyond what RFC 7643 does — what its native API needs (a plugin's
 * `requires`). They are marked `required: true` in the app's own copies of the schemas, so /Schemas says
 * so and resource validation refuses a resource without them. The shared definitions are never changed.
 */
import type { AttrPathRef } from '../filter/ast.js';
import type { AttributeDefinition, SchemaDefinition } from './types.js';

export type ResourceRequirements = Partial<Record<'User' | 'Group', readonly AttrPathRef[]>>;

/** One required attribute, resolved: its canonical name and, for a sub-attribute, the sub's. */
export interface RequiredAttribute {
  attribute: string;
  sub?: string;
}

const markRequired = (def: AttributeDefinition, subs: readonly string[]): AttributeDefinition => ({
  ...def,
  required: true,
  ...(def.subAttributes ? { subAttributes: def.subAttributes.map((s) => (subs.includes(s.name) ? { ...s, required: true } : s)) } : {}),
});

/** A copy of `schema` with the attributes named (and the sub-attributes, which makes their parent required too) required. */
export function withRequired(schema: SchemaDefinition, required: readonly RequiredAttribute[]): SchemaDefinition {
  const attributes = schema.attributes.map((def) => {
    const marks = required.filter((r) => r.attribute === def.name);
    if (marks.length === 0) return def;
    return markRequired(def, marks.flatMap((m) => (m.sub === undefined ? [] : [m.sub])));
  });
  return { ...schema, attributes };
}

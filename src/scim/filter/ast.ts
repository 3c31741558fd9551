/**
 * The syntax trees of RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths. Parsing is schema-free: names are
 * kept as written; `resolve` (schemas/registry.ts) maps them onto schema attributes.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal value in a filter: a JSON string, number, true, false or null. */
export type FilterValue = string | number | boolean | null;

/**
 * An attribute path as written: `[uri ":"] name ["." sub]`.
 * `uri` is the schema URN when the path was URN-qualified (`urn:...:enterprise:2.0:User:manager.value`
 * gives uri `urn:...:enterprise:2.0:User`, name `manager`, sub `value`).
 */
export interface AttrPathRef {
  uri?: string;
  name: string;
  sub?: string;
}

export type FilterNode =
  | { kind: 'compare'; path: AttrPathRef; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPathRef }
  | { kind: 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  /** `emails[type eq "work" and primary eq true]`: `filter` paths are relative to the attribute's sub-attributes. */
  | { kind: 'valuePath'; path: AttrPathRef; filter: FilterNode };

/**
 * A PATCH path (RFC 7644 §3.5.2): `attrPath`, or `valuePath` optionally followed by `.subAttr`, e.g.
 * `members[value eq "2819c223"]`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
 */
export interface PatchPath {
  attr: AttrPathRef;
  /** The value filter in brackets, relative to the attribute's sub-attributes. */
  filter?: FilterNode;
  /** The sub-attribute after the brackets (`.value` in `emails[type eq "work"].value`). */
  subAfterFilter?: string;
}

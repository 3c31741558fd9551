/**
 * A dialect undoes one SCIM client's quirks at the door, so the protocol core only ever sees RFC 7643/7644.
 * It reshapes requests; it neither validates resources (the validator does) nor applies patches (the engine).
 */
import type { PatchOperation } from '../scim/patch/operation.js';
import type { ResourceTypeName, SchemaRegistry } from '../scim/schemas/registry.js';

export type { PatchOperation, PatchOpName } from '../scim/patch/operation.js';

export interface DialectContext {
  registry: SchemaRegistry;
  type: ResourceTypeName;
}

export interface Dialect {
  name: string;
  /** A POST/PUT body made RFC-shaped; still unvalidated. */
  normalizeResource(body: unknown, ctx: DialectContext): unknown;
  /** A PATCH body checked as a PatchOp message and turned into RFC operations; throws ScimError 400. */
  normalizePatch(body: unknown, ctx: DialectContext): PatchOperation[];
}

/**
 * Where a PATCH path points (RFC 7644 §3.5.2 "path"): a whole extension, or an attribute with an
 * optional value filter and sub-attribute, mapped onto the app's schemas with canonical names.
 */
import { invalidPath, mutability } from '../errors.js';
import type { FilterNode } from '../filter/ast.js';
import { parsePatchPath } from '../filter/index.js';
import { findSubAttribute, type ResolvedAttribute, type ResourceTypeName, type SchemaRegistry } from '../schemas/registry.js';
import type { AttributeDefinition, SchemaDefinition } from '../schemas/types.js';
import { quote } from './json.js';
import type { PatchOpName } from './operation.js';

export interface PatchContext {
  registry: SchemaRegistry;
  type: ResourceTypeName;
}

export type PatchTarget =
  /** `urn:…:enterprise:2.0:User`: the extension object as a whole. */
  | { kind: 'extension'; schema: SchemaDefinition }
  /**
   * An attribute; `resolved.sub` for `name.givenName`, `filter` (+ `sub`) for
   * `emails[type eq "work"].value`. `sub` is the sub-attribute addressed either way.
   */
  | { kind: 'attribute'; resolved: ResolvedAttribute; filter?: FilterNode; sub?: AttributeDefinition };

export function resolvePatchTarget(path: string, op: PatchOpName, ctx: PatchContext): PatchTarget {
  const parsed = parsePatchPath(path);
  if (!parsed.filter && parsed.subAfterFilter === undefined) {
    const schema = ctx.registry.extensionSchemaOfPath(ctx.type, parsed.attr);
    if (schema) return { kind: 'extension', schema };
  }
  if (parsed.attr.uri === undefined && parsed.attr.name.toLowerCase() === 'schemas') {
    throw invalidPath('"schemas" cannot be patched; it follows the extensions present');
  }
  const resolved = ctx.registry.resolve(ctx.type, parsed.attr);
  if (!resolved) throw invalidPath(`Unknown attribute ${quote(path)}`);

  let sub = resolved.sub;
  if (parsed.filter) {
    if (resolved.sub || resolved.attribute.type !== 'complex') {
      throw invalidPath(`A value filter needs a complex attribute: ${quote(path)}`);
    }
    if (parsed.subAfterFilter !== undefined) {
      sub = findSubAttribute(resolved.attribute, parsed.subAfterFilter);
      if (!sub) throw invalidPath(`Unknown sub-attribute in ${quote(path)}`);
    }
  }

  // readOnly attributes (id, meta, groups, manager.displayName) are the server's (RFC 7643 §2.2).
  if (resolved.attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
    throw mutability(`${quote(path)} is readOnly`);
  }
  // immutable sub-attributes (members.value, members.display) may be set with their element, never changed.
  if (op === 'replace' && sub?.mutability === 'immutable') {
    throw mutability(`${quote(path)} is immutable`);
  }

  const target: PatchTarget = { kind: 'attribute', resolved };
  if (parsed.filter) target.filter = parsed.filter;
  if (sub) target.sub = sub;
  return target;
}

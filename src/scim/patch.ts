/**
 * The SCIM PATCH engine (RFC 7644 §3.5.2): applies a list of add/replace/remove operations to a
 * resource as the client reads it (core attributes at the top, extension attributes under their URN
 * key, a group's `members`). Pure and atomic: it works on a deep copy and either returns the whole
 * result or throws a ScimError with the input untouched. Types of the result are checked afterwards
 * by the resource validator; this module only enforces the structure each operation needs.
 *
 * Decisions the RFC leaves open, pinned by test/scim/patch.test.ts:
 * - `remove` of something absent, or with a filter that matches nothing, is a no-op (Entra retries and
 *   removes members that may already be gone); `replace` with a filter that matches nothing is noTarget.
 * - `add` with a filter of `eq`s that matches nothing creates that element (`emails[type eq "work"].value`).
 * - `null` as a value means unassigned (RFC 7643 §2.5): add/replace of null removes.
 * - `remove` carrying a value on a multi-valued attribute is refused rather than read as "remove all".
 * - A path that is valid (or no path) with a value it cannot take — an unknown key in a value object, a
 *   string for a complex attribute — is invalidValue (RFC 7644 §3.12); invalidPath is for the path alone.
 */
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './errors.js';
import type { ResourceTypeName, SchemaRegistry } from './schemas/registry.js';
import type { AttributeDefinition, SchemaDefinition } from './schemas/types.js';
import { parseAttrPath } from './filter/index.js';
import { applyFiltered, equalityOf, removeEqual } from './patch/filtered.js';
import { cloneJson, deleteAttr, findKey, getAttr, isObject, jsonEqual, prune, quote, setAttr, setOwn, type JsonObject } from './patch/json.js';
import type { PatchOpName, PatchOperation } from './patch/operation.js';
import { resolvePatchTarget, type PatchContext } from './patch/target.js';
import { addValue, replaceValue } from './patch/values.js';

export type { PatchOperation, PatchOpName } from './patch/operation.js';
export { parsePatchMessage, PATCH_OP_SCHEMA, MAX_PATCH_OPERATIONS } from './patch/operation.js';
export type { PatchContext } from './patch/target.js';
export type { JsonObject } from './patch/json.js';

/** One run of applyPatch: the working copy and the top-level keys the operations touched. */
interface Run {
  ctx: PatchContext;
  root: JsonObject;
  touched: Set<string>;
}

export function applyPatch(
  resource: JsonObject,
  ops: readonly PatchOperation[],
  ctx: { registry: SchemaRegistry; type: ResourceTypeName },
): JsonObject {
  const root = cloneJson(resource) as JsonObject;
  const run: Run = { ctx, root, touched: new Set() };
  for (let i = 0; i < ops.length; ) {
    const removed = applyRemovalRun(run, ops, i);
    if (removed > 0) i += removed;
    else applyOne(run, ops[i++]!);
  }

  // Operations may leave nulls, [] and {} behind; only what they touched is tidied, the rest stays as stored.
  for (const key of run.touched) {
    const k = findKey(root, key);
    if (k === undefined) continue;
    const v = prune(root[k]);
    if (v === undefined) delete root[k];
    else setOwn(root, k, v);
  }
  setAttr(root, 'schemas', schemasOf(root, ctx));
  return root;
}

function applyOne(run: Run, op: PatchOperation): void {
  if (op.op !== 'remove' && op.value === undefined) throw invalidSyntax(`"${op.op}" needs a value`);
  if (op.path === undefined) {
    if (op.op === 'remove') throw noTarget('"remove" needs a path');
    return applyWithoutPath(run, op.op, op.value);
  }

  const target = resolvePatchTarget(op.path, op.op, run.ctx);
  if (target.kind === 'extension') return applyToExtension(run, target.schema, op.op, op.value);

  const { resolved, filter, sub } = target;
  const container = containerOf(run, resolved.extension ? resolved.schema : undefined, op.op !== 'remove');
  if (!container) return; // remove inside an extension the resource does not have
  const attr = resolved.attribute;
  if (!resolved.extension) run.touched.add(attr.name);
  if (filter) return applyFiltered(container, { path: op.path, attr, filter, sub }, op.op, op.value);

  if (sub) {
    if (attr.multiValued) throw invalidPath(`${quote(op.path)} needs a value filter to pick elements`);
    const parent = getAttr(container, attr.name);
    if (op.op === 'remove' || op.value === null) {
      if (isObject(parent)) deleteAttr(parent, sub.name);
      return;
    }
    const obj: JsonObject = isObject(parent) ? parent : {};
    setAttr(obj, sub.name, cloneJson(op.value));
    return setAttr(container, attr.name, obj);
  }

  if (op.op === 'remove') {
    // Without this a `remove` of `members` with a list of members (Entra's old form) would drop them all.
    if (attr.multiValued && op.value !== undefined && op.value !== null) {
      throw invalidSyntax(`"remove" of ${quote(op.path)} takes no value; select elements with a filter`);
    }
    return deleteAttr(container, attr.name);
  }
  (op.op === 'add' ? addValue : replaceValue)(container, attr, op.value);
}

/**
 * ENTRA #12: members are removed one `members[value eq "id"]` operation per member (the dialect expands
 * Entra's value-list form to these too). One pass over the list per operation would cost members ×
 * removals; consecutive removals of that shape on one attribute are applied together in one pass.
 * Answers how many operations it applied: 0 when ops[start] is not such a removal.
 */
function applyRemovalRun(run: Run, ops: readonly PatchOperation[], start: number): number {
  const first = removalByEquality(run, ops[start]!);
  if (!first) return 0;
  const texts = [first.text];
  let end = start + 1;
  for (; end < ops.length; end += 1) {
    const next = removalByEquality(run, ops[end]!);
    if (!next || next.resolved.attribute !== first.resolved.attribute || next.resolved.schema !== first.resolved.schema || next.sub !== first.sub) break;
    texts.push(next.text);
  }
  const { resolved, sub } = first;
  const container = containerOf(run, resolved.extension ? resolved.schema : undefined, false);
  if (container) {
    if (!resolved.extension) run.touched.add(resolved.attribute.name);
    removeEqual(container, resolved.attribute, sub, texts);
  }
  return end - start;
}

function removalByEquality(run: Run, op: PatchOperation) {
  if (op.op !== 'remove' || op.path === undefined) return undefined;
  const target = resolvePatchTarget(op.path, op.op, run.ctx);
  if (target.kind !== 'attribute' || !target.filter || target.sub) return undefined;
  const equality = equalityOf(target.filter, target.resolved.attribute);
  return equality && { resolved: target.resolved, ...equality };
}

/**
 * add/replace without a path: the value is an object of attributes, extension URNs included. An attribute
 * may be keyed by its URN (`urn:…:core:2.0:User:title`, RFC 7644 §3.10) and core attributes may sit in an
 * object keyed by the core schema URN, once.
 */
function applyWithoutPath(run: Run, op: 'add' | 'replace', value: unknown, inCoreObject = false): void {
  if (!isObject(value)) throw invalidValue(`"${op}" without a path needs an object of attributes as its value`);
  const { registry, type } = run.ctx;
  const core = registry.coreSchema(type).id.toLowerCase();
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (key.toLowerCase() === 'schemas') continue; // recomputed from the extensions present
    const extension = registry.extensionSchema(type, key);
    if (extension) {
      applyToExtension(run, extension, op, v);
      continue;
    }
    if (key.toLowerCase() === core && !inCoreObject) {
      applyWithoutPath(run, op, v, true);
      continue;
    }
    const ref = key.includes(':') ? parseAttrPath(key) : { name: key };
    const resolved = ref && registry.resolve(type, ref);
    if (!resolved) throw invalidValue(`The value names an unknown attribute ${quote(key)}`);
    if (ref.uri !== undefined) applyOne(run, { op, path: key, value: v });
    else setAttribute(run, run.root, resolved.attribute, op, v, resolved.attribute.name);
  }
}

/** A path naming a whole extension, or its URN key in a path-less value: attribute by attribute. */
function applyToExtension(run: Run, schema: SchemaDefinition, op: PatchOpName, value: unknown): void {
  if (op === 'remove' || value === null) {
    deleteAttr(run.root, schema.id);
    return;
  }
  if (!isObject(value)) throw invalidValue(`The value for ${quote(schema.id)} must be an object of attributes`);
  const container = containerOf(run, schema.id, true)!;
  for (const key of Object.keys(value)) {
    const resolved = run.ctx.registry.resolve(run.ctx.type, { uri: schema.id, name: key });
    if (!resolved) throw invalidValue(`The value for ${quote(schema.id)} names an unknown attribute ${quote(key)}`);
    setAttribute(run, container, resolved.attribute, op, value[key], `${schema.id}:${resolved.attribute.name}`);
  }
}

function setAttribute(run: Run, container: JsonObject, attr: AttributeDefinition, op: 'add' | 'replace', value: unknown, where: string): void {
  if (attr.mutability === 'readOnly') {
    // Clients that send back what they read (id, meta) change nothing; anything else is refused.
    if (jsonEqual(getAttr(container, attr.name), value)) return;
    throw mutability(`${quote(where)} is readOnly`);
  }
  if (container === run.root) run.touched.add(attr.name);
  (op === 'add' ? addValue : replaceValue)(container, attr, value);
}

/** The object holding an attribute: the root, or the extension object (created when `create`). */
function containerOf(run: Run, extensionUrn: string | undefined, create: boolean): JsonObject | undefined {
  if (extensionUrn === undefined) return run.root;
  run.touched.add(extensionUrn);
  const existing = getAttr(run.root, extensionUrn);
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const created: JsonObject = {};
  setAttr(run.root, extensionUrn, created);
  return created;
}

/** The core schema plus exactly the declared extensions whose object is present. */
function schemasOf(root: JsonObject, ctx: PatchContext): string[] {
  const present = ctx.registry.extensionSchemas(ctx.type).filter((s) => isObject(getAttr(root, s.id)));
  return [ctx.registry.coreSchema(ctx.type).id, ...present.map((s) => s.id)];
}

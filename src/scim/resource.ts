/**
 * Schema validation of incoming User and Group bodies (RFC 7643 §2, §3; RFC 7644 §3.3, §3.5.1), after
 * the dialect has undone the client's quirks. The result is the canonical stored form: schema casing for
 * every name, `schemas` recomputed from what is present, readOnly and unassigned values dropped, every
 * other value exactly as sent (Entra compares what it reads back with what it wrote).
 */

import type { JsonObject } from '../store/types.js';
import { invalidSyntax, invalidValue } from './errors.js';
import { commonAttributes, ENTRA_AD_GROUP_SCHEMA } from './schemas/core.js';
import type { ResourceTypeName, SchemaRegistry } from './schemas/registry.js';
import type { AttributeDefinition, SchemaDefinition } from './schemas/types.js';
import { canonicalizeAttribute, entriesIgnoringCase, VALUE_LIMITS } from './validate/attribute-value.js';
import { isPlainObject, quote, setOwn } from './validate/json.js';
import { unqualifyAttributeKeys } from './validate/qualified-keys.js';

export { sameResourceValues } from './validate/same-values.js';

export interface ResourceContext {
  registry: SchemaRegistry;
  type: ResourceTypeName;
}

const lower = (s: string) => s.toLowerCase();

function findAttribute(list: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const wanted = lower(name);
  return list.find((a) => lower(a.name) === wanted);
}

/** Turns a client's body into the canonical stored resource, or throws the ScimError that says why not. */
export function canonicalizeResource(body: unknown, ctx: ResourceContext): JsonObject {
  if (!isPlainObject(body)) throw invalidSyntax(`A ${ctx.type} must be a JSON object`);
  const core = ctx.registry.coreSchema(ctx.type);
  const coreValues: JsonObject = {};
  const extensionValues = new Map<string, JsonObject>();

  for (const [key, value] of entriesIgnoringCase(unqualifyAttributeKeys(body, ctx), `The ${ctx.type}`)) {
    if (lower(key) === 'schemas') {
      checkSchemas(value, core, ctx);
      continue;
    }
    const def = findAttribute(core.attributes, key) ?? findAttribute(commonAttributes, key);
    if (def) {
      // id, meta and the user's groups are the server's; Entra sends meta in creates (ENTRA.md #3).
      if (def.mutability === 'readOnly') continue;
      const canonical = canonicalizeAttribute(def, value, def.name);
      // Checked on what was sent: a member `{}` would otherwise vanish as an empty value.
      if (ctx.type === 'Group' && def.name === 'members') requireMemberValues(value);
      if (canonical !== undefined) setOwn(coreValues, def.name, canonical);
      continue;
    }
    const extension = ctx.registry.extensionSchema(ctx.type, key);
    if (extension) {
      // ENTRA.md #4: extension data may come without its URN in `schemas`; it is accepted all the same.
      const canonical = canonicalizeExtension(extension, value);
      if (canonical !== undefined) extensionValues.set(extension.id, canonical);
      continue;
    }
    if (key.includes(':')) throw invalidSyntax(`${quote(key)} is not a schema extension of ${ctx.type}`);
    throw invalidSyntax(`Attribute ${quote(key)} is not defined by schema ${core.id}`);
  }

  requireAttributes(core.attributes, coreValues, '');
  for (const extension of ctx.registry.extensionSchemas(ctx.type)) {
    const values = extensionValues.get(extension.id) ?? (ctx.registry.isRequiredExtension(extension.id) ? {} : undefined);
    if (values) requireAttributes(extension.attributes, values, `${extension.id}:`);
  }

  const out: JsonObject = {};
  const present = ctx.registry.extensionSchemas(ctx.type).filter((s) => extensionValues.has(s.id));
  setOwn(out, 'schemas', [core.id, ...present.map((s) => s.id)]);
  for (const [name, value] of Object.entries(coreValues)) setOwn(out, name, value);
  for (const extension of present) setOwn(out, extension.id, extensionValues.get(extension.id));
  return out;
}

/**
 * `schemas` is optional here (it is recomputed), but when sent it must name the core schema and only
 * schemas this app declares. Entra's ADSCIM group schema (ENTRA.md #13) is tolerated and dropped.
 */
function checkSchemas(value: unknown, core: SchemaDefinition, ctx: ResourceContext): void {
  if (!Array.isArray(value) || !value.every((s): s is string => typeof s === 'string')) {
    throw invalidSyntax('"schemas" must be an array of schema URNs (strings)');
  }
  if (value.length > VALUE_LIMITS.maxArrayLength) throw invalidSyntax('"schemas" lists too many schemas');
  let hasCore = false;
  for (const urn of value) {
    if (lower(urn) === lower(core.id)) hasCore = true;
    else if (ctx.registry.extensionSchema(ctx.type, urn)) continue;
    else if (ctx.type === 'Group' && lower(urn) === lower(ENTRA_AD_GROUP_SCHEMA)) continue;
    else throw invalidSyntax(`Schema ${quote(urn)} is not supported for ${ctx.type} resources`);
  }
  if (!hasCore) throw invalidSyntax(`"schemas" must contain the core schema ${core.id}`);
}

function canonicalizeExtension(extension: SchemaDefinition, value: unknown): JsonObject | undefined {
  if (value === null) return undefined;
  if (!isPlainObject(value)) throw invalidValue(`Schema extension ${extension.id} must be an object`);
  const out: JsonObject = {};
  for (const [key, attrValue] of entriesIgnoringCase(value, `Schema extension ${extension.id}`)) {
    const def = findAttribute(extension.attributes, key);
    if (!def) throw invalidSyntax(`Attribute ${quote(key)} is not defined by schema ${extension.id}`);
    if (def.mutability === 'readOnly') continue;
    const canonical = canonicalizeAttribute(def, attrValue, `${extension.id}:${def.name}`);
    if (canonical !== undefined) setOwn(out, def.name, canonical);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * RFC 7643 §2.2: a required attribute must be present; a required string must not be blank. A required
 * sub-attribute must be in the complex value (in each element of a multi-valued one); the error names the
 * deepest attribute missing, e.g. `name.givenName` when `name` itself is absent.
 */
function requireAttributes(defs: readonly AttributeDefinition[], values: JsonObject, prefix: string): void {
  for (const def of defs) {
    if (!def.required || def.mutability === 'readOnly') continue;
    const value = values[def.name];
    const requiredSubs = def.subAttributes?.filter((s) => s.required) ?? [];
    const blank = value === undefined || (typeof value === 'string' && value.trim() === '');
    if (blank) {
      const first = def.multiValued ? undefined : requiredSubs[0];
      throw invalidValue(`Attribute ${prefix}${def.name}${first ? `.${first.name}` : ''} is required and must not be empty`);
    }
    if (requiredSubs.length === 0) continue;
    for (const element of Array.isArray(value) ? value : [value]) {
      if (isPlainObject(element)) requireAttributes(requiredSubs, element, `${prefix}${def.name}.`);
    }
  }
}

/** A member without the id of the resource it names is meaningless (RFC 7643 §4.2). */
function requireMemberValues(members: unknown): void {
  if (!Array.isArray(members)) return;
  members.forEach((member: unknown, i) => {
    const entry = isPlainObject(member) ? Object.entries(member).find(([key]) => lower(key) === 'value') : undefined;
    const value = entry?.[1];
    if (typeof value !== 'string' || value === '') {
      throw invalidValue(`Attribute members[${i}].value is required: the id of the member resource`);
    }
  });
}

/**
 * The Microsoft Entra ID dialect: each quirk of ENTRA.md (the project's notes on what Entra sends) that reaches a request body is
 * rewritten here into RFC 7644 form, named by its row (ENTRA #n). Anything this module does not
 * understand passes through unchanged, so the engine or the validator reports it with the right error.
 */
import { invalidSyntax, invalidValue } from '../scim/errors.js';
import type { PatchPath } from '../scim/filter/ast.js';
import { parsePatchPath } from '../scim/filter/index.js';
import { findKey, getOwn, isObject, setOwn, type JsonObject } from '../scim/patch/json.js';
import { parsePatchMessage } from '../scim/patch/operation.js';
import { findSubAttribute, type ResolvedAttribute } from '../scim/schemas/registry.js';
import type { AttributeDefinition } from '../scim/schemas/types.js';
import { VALUE_LIMITS } from '../scim/validate/attribute-value.js';
import type { Dialect, DialectContext, PatchOperation } from './types.js';

/**
 * Expanding member lists multiplies operations. The engine applies a run of removals by id in one pass,
 * and the door bounds the members one request carries (server.maxMembersPerRequest); this net for other
 * callers is the longest list an attribute may hold.
 */
export const MAX_NORMALIZED_OPERATIONS = VALUE_LIMITS.maxArrayLength;

export const entraDialect: Dialect = {
  name: 'entra',

  normalizeResource(body, ctx) {
    if (!isObject(body)) return body;
    const out = copyObject(body);
    moveUnqualifiedExtensionAttributes(out, ctx);
    for (const key of Object.keys(out)) {
      const value = out[key];
      // ENTRA #5: a bare manager id inside the extension object becomes {value}; "" drops it.
      if (ctx.registry.extensionSchema(ctx.type, key) && isObject(value)) {
        setOwn(out, key, normalizeManagerIn(value, ctx, key, 'delete'));
      }
      // ENTRA #13: member adds carry "$ref": null.
      const attr = coreAttribute(ctx, key);
      if (attr && hasRef(attr) && Array.isArray(value)) setOwn(out, key, value.map(dropNullRef));
    }
    // ENTRA #4: extension data under a URN missing from `schemas` is kept; the validator lists the URN.
    return out;
  },

  normalizePatch(body, ctx) {
    // ENTRA #9: `Add`/`Replace`/`Remove` are matched ignoring case by the PatchOp parser.
    const out: PatchOperation[] = [];
    for (const op of parsePatchMessage(body)) {
      for (const normalized of normalizeOperation(op, ctx)) {
        out.push(normalized);
        if (out.length > MAX_NORMALIZED_OPERATIONS) {
          throw invalidSyntax(`PATCH expands to more than ${MAX_NORMALIZED_OPERATIONS} operations`);
        }
      }
    }
    return out;
  },
};

function normalizeOperation(op: PatchOperation, ctx: DialectContext): PatchOperation[] {
  if (op.path === undefined) {
    if (op.op === 'remove' || !isObject(op.value)) return [op];
    return splitPathlessValue(op.op, op.value, ctx).flatMap((o) => (o.path === undefined ? [o] : normalizePathOperation(o, ctx)));
  }
  return normalizePathOperation(op, ctx);
}

/**
 * ENTRA #11: with aadOptscim062020 a path-less `replace` keys its value by paths, `"name.givenName"` and
 * `"urn:…:enterprise:2.0:User:employeeNumber"` (custom extensions too). Each such key becomes an
 * operation with that key as its path; plain attribute names and whole-extension URN keys stay together
 * in one path-less operation, which comes first.
 */
function splitPathlessValue(op: 'add' | 'replace', value: JsonObject, ctx: DialectContext): PatchOperation[] {
  const plain: JsonObject = {};
  const split: PatchOperation[] = [];
  const core = ctx.registry.coreSchema(ctx.type).id.toLowerCase();
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (key.toLowerCase() === core) {
      setOwn(plain, key, v); // an object of core attributes: the engine takes it as it is (RFC 7644 §3.10)
    } else if (ctx.registry.extensionSchema(ctx.type, key)) {
      setOwn(plain, key, isObject(v) ? normalizeManagerIn(v, ctx, key, 'null') : v);
    } else if (key.includes(':') || key.includes('.')) {
      split.push({ op, path: key, value: v });
    } else {
      const attr = coreAttribute(ctx, key);
      const urn = attr ? undefined : extensionDeclaring(ctx, key);
      if (urn !== undefined) split.push({ op, path: `${urn}:${key}`, value: v });
      else setOwn(plain, key, attr && hasRef(attr) && Array.isArray(v) ? v.map(dropNullRef) : v);
    }
  }
  const keep = Object.keys(plain).length > 0 || split.length === 0;
  return keep ? [{ op, value: plain }, ...split] : split;
}

function normalizePathOperation(op: PatchOperation, ctx: DialectContext): PatchOperation[] {
  const path = op.path!;
  let parsed: PatchPath;
  try {
    parsed = parsePatchPath(path);
  } catch {
    return [op]; // the engine answers invalidPath
  }

  if (!parsed.filter) {
    const extension = ctx.registry.extensionSchemaOfPath(ctx.type, parsed.attr);
    if (extension) {
      if (op.op === 'remove' || !isObject(op.value)) return [op];
      return [{ op: op.op, path, value: normalizeManagerIn(op.value, ctx, extension.id, 'null') }];
    }
  }
  const resolved = ctx.registry.resolve(ctx.type, parsed.attr);
  if (!resolved) {
    // Tutorial Example 5 patches `manager`, not `urn:…:enterprise:2.0:User:manager`: an extension
    // attribute named without its URN is qualified when exactly one extension declares it.
    const urn = parsed.attr.uri === undefined ? extensionDeclaring(ctx, parsed.attr.name) : undefined;
    if (urn === undefined) return [op];
    const qualified: PatchOperation = { op: op.op, path: `${urn}:${path.trim()}` };
    if (op.value !== undefined) qualified.value = op.value;
    return normalizePathOperation(qualified, ctx);
  }

  // ENTRA #18: the gallery validator clears attributes with `null` replaces; null means unassigned.
  if (op.op !== 'remove' && op.value === null) return [{ op: 'remove', path }];

  const whole = !parsed.filter && !resolved.sub;
  if (whole && isManagerAttribute(resolved.attribute)) return [normalizeManagerOperation(op, path)];
  if (whole && op.op === 'remove' && op.value !== undefined && op.value !== null && isValueList(resolved.attribute)) {
    return expandRemoveByValue(path, op.value);
  }
  if (whole && op.op !== 'remove' && hasRef(resolved.attribute) && Array.isArray(op.value)) {
    // ENTRA #13: member adds carry "$ref": null, which is no reference at all.
    return [{ op: op.op, path, value: op.value.map(dropNullRef) }];
  }
  return [coerceBoolean(op, path, parsed, resolved)];
}

/**
 * ENTRA #5, #7, #18: manager arrives as a bare id (`"value": "id"`), as a list
 * (`Add` with `[{"$ref": …, "value": "id"}]`), or is cleared with `""`. A bare id becomes {value: id}, a
 * one-element list its element; an object stays as the client wrote it (its `$ref` is readWrite), less a
 * `"$ref": null`. Clearing forms become `remove`, and a `Remove` on the manager path drops any value it carries.
 */
function normalizeManagerOperation(op: PatchOperation, path: string): PatchOperation {
  if (op.op === 'remove') return { op: 'remove', path };
  const value = managerValue(op.value);
  return value === undefined ? { op: 'remove', path } : { op: op.op, path, value };
}

/** The manager object for every way Entra writes one; undefined for the ways it clears one. */
function managerValue(raw: unknown): JsonObject | undefined {
  // A list of one, unwrapped in a loop: a list nested 10,000 deep must not cost 10,000 stack frames.
  let single = raw;
  while (Array.isArray(single)) {
    if (single.length > 1) throw invalidValue('manager takes a single value');
    if (single.length === 0) return undefined;
    single = single[0];
  }
  const id = isObject(single) ? getOwn(single, findKey(single, 'value') ?? 'value') : single;
  if (id === undefined || id === null || id === '') return undefined;
  if (isObject(single)) return dropNullRef(single) as JsonObject;
  const out: JsonObject = {};
  setOwn(out, 'value', id);
  return out;
}

/** The same manager rewrite inside an extension object; a cleared manager becomes null or is deleted. */
function normalizeManagerIn(ext: JsonObject, ctx: DialectContext, urn: string, cleared: 'null' | 'delete'): JsonObject {
  const out = copyObject(ext);
  for (const key of Object.keys(out)) {
    const resolved = ctx.registry.resolve(ctx.type, { uri: urn, name: key });
    if (!resolved || !isManagerAttribute(resolved.attribute)) continue;
    const value = managerValue(out[key]);
    if (value !== undefined) setOwn(out, key, value);
    else if (cleared === 'null') setOwn(out, key, null);
    else delete out[key];
  }
  return out;
}

/**
 * ENTRA #12: without aadOptscim062020 members are removed with `Remove`, path `members` and a list of
 * {value}. RFC 7644 has no value on remove and would drop every member; this asks for exactly the listed
 * ones, one filter each. An empty list removes nothing. Ids are JSON-escaped into the filter literal.
 */
function expandRemoveByValue(path: string, raw: unknown): PatchOperation[] {
  return (Array.isArray(raw) ? raw : [raw]).map((item) => {
    const id = isObject(item) ? getOwn(item, findKey(item, 'value') ?? 'value') : item;
    if (typeof id !== 'string' || id === '') throw invalidValue('Each value to remove must carry a string "value"');
    return { op: 'remove' as const, path: `${path.trim()}[value eq ${JSON.stringify(id)}]` };
  });
}

/** ENTRA #10: without aadOptscim062020 booleans arrive as "True"/"False"; a path naming one is coerced. */
function coerceBoolean(op: PatchOperation, path: string, parsed: PatchPath, resolved: ResolvedAttribute): PatchOperation {
  if (op.op === 'remove' || typeof op.value !== 'string') return op;
  const def = parsed.subAfterFilter !== undefined ? findSubAttribute(resolved.attribute, parsed.subAfterFilter) : (resolved.sub ?? resolved.attribute);
  if (!def || def.type !== 'boolean' || def.multiValued) return op;
  const text = op.value.trim().toLowerCase();
  if (text !== 'true' && text !== 'false') return op; // the validator rejects it with invalidValue
  return { op: op.op, path, value: text === 'true' };
}

function isManagerAttribute(attr: AttributeDefinition): boolean {
  return attr.name.toLowerCase() === 'manager' && attr.type === 'complex' && !attr.multiValued;
}

/** Multi-valued complex attributes whose elements are picked by `value` (members, emails, …). */
function isValueList(attr: AttributeDefinition): boolean {
  return attr.multiValued && attr.type === 'complex' && findSubAttribute(attr, 'value') !== undefined;
}

/** Attributes whose elements reference resources by `$ref` (group members). */
function hasRef(attr: AttributeDefinition): boolean {
  return attr.multiValued && attr.type === 'complex' && findSubAttribute(attr, '$ref') !== undefined;
}

/** The URN of the one extension of the type that declares `name`, when the core schema does not. */
function extensionDeclaring(ctx: DialectContext, name: string): string | undefined {
  if (name.includes(':') || name.includes('.') || coreAttribute(ctx, name)) return undefined;
  const wanted = name.toLowerCase();
  const found = ctx.registry.extensionSchemas(ctx.type).filter((s) => s.attributes.some((a) => a.name.toLowerCase() === wanted));
  return found.length === 1 ? found[0]!.id : undefined;
}

/**
 * The tutorial's provisioning example sends enterprise attributes at the top level (`"manager": null`,
 * `"department": null`); they are moved under their extension's URN unless that object has them already.
 */
function moveUnqualifiedExtensionAttributes(body: JsonObject, ctx: DialectContext): void {
  for (const key of Object.keys(body)) {
    const urn = extensionDeclaring(ctx, key);
    if (urn === undefined) continue;
    const existingKey = findKey(body, urn);
    const existing = existingKey === undefined ? undefined : body[existingKey];
    if (existingKey !== undefined && !isObject(existing)) continue;
    const ext = isObject(existing) ? copyObject(existing) : {};
    if (findKey(ext, key) === undefined) setOwn(ext, key, body[key]);
    setOwn(body, existingKey ?? urn, ext);
    delete body[key];
  }
}

function coreAttribute(ctx: DialectContext, key: string): AttributeDefinition | undefined {
  if (key.includes(':') || key.includes('.')) return undefined;
  return ctx.registry.resolve(ctx.type, { name: key })?.attribute;
}

function dropNullRef(item: unknown): unknown {
  if (!isObject(item)) return item;
  const out = copyObject(item);
  const key = findKey(out, '$ref');
  if (key !== undefined && out[key] === null) delete out[key];
  return out;
}

/** A shallow copy that keeps hostile keys (`__proto__`) as plain own data. */
function copyObject(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(obj)) setOwn(out, key, obj[key]);
  return out;
}

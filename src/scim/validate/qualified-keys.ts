/**
 * Attributes written with their schema URN (RFC 7644 §3.10, RFC 7643 §3): `"urn:…:core:2.0:User:userName"`,
 * `"urn:…:core:2.0:User:name.givenName"`, `"urn:…:enterprise:2.0:User:employeeNumber"`, and an object keyed by
 * the core schema URN. They are put where a resource keeps them — core attributes at the top, extension ones
 * under their extension's URN — so that validation sees one shape. Whole-extension URN keys stay as they are.
 */

import type { JsonObject } from '../../store/types.js';
import { invalidSyntax, invalidValue } from '../errors.js';
import { parseAttrPath } from '../filter/index.js';
import type { ResourceTypeName, SchemaRegistry } from '../schemas/registry.js';
import { isPlainObject, quote, setOwn } from './json.js';

interface KeyContext {
  registry: SchemaRegistry;
  type: ResourceTypeName;
}

const lower = (s: string) => s.toLowerCase();

/** Where a qualified key goes: canonical keys from the resource root, or undefined for a key kept as is. */
function placementOf(key: string, ctx: KeyContext): string[] | undefined {
  if (!key.includes(':') || ctx.registry.extensionSchema(ctx.type, key)) return undefined;
  const core = ctx.registry.coreSchema(ctx.type);
  const ref = parseAttrPath(key);
  if (!ref?.uri) return undefined;
  const isCore = lower(ref.uri) === lower(core.id);
  const extension = isCore ? undefined : ctx.registry.extensionSchema(ctx.type, ref.uri);
  if (!isCore && !extension) return undefined; // an unknown URN: the validator names it
  const resolved = ctx.registry.resolve(ctx.type, ref);
  if (!resolved) throw invalidSyntax(`Attribute ${quote(key)} is not defined by schema ${isCore ? core.id : extension!.id}`);
  return resolved.keys;
}

/** Sets `value` at `keys` below `root`, merging objects; a leaf given twice is refused. */
function place(root: JsonObject, keys: readonly string[], value: unknown, shown: string): void {
  let container = root;
  for (const [i, key] of keys.entries()) {
    const existing = Object.keys(container).find((k) => lower(k) === lower(key));
    const last = i === keys.length - 1;
    if (existing === undefined) {
      setOwn(container, key, last ? value : {});
    } else if (!last && isPlainObject(container[existing])) {
      // Copied before it is written into: the client's body stays as it was.
      setOwn(container, existing, { ...(container[existing] as JsonObject) });
    } else if (last && isPlainObject(container[existing]) && isPlainObject(value)) {
      const merged = { ...(container[existing] as JsonObject) };
      for (const sub of Object.keys(value)) place(merged, [sub], value[sub], `${shown}.${sub}`);
      setOwn(container, existing, merged);
      return;
    } else {
      throw invalidSyntax(`Attribute ${quote(shown)} is given twice (with and without its schema URN)`);
    }
    if (last) return;
    container = container[existing ?? key] as JsonObject;
  }
}

/** The body with URN-qualified attribute keys moved to their place; the same object when it has none. */
export function unqualifyAttributeKeys(body: JsonObject, ctx: KeyContext): JsonObject {
  const coreUrn = lower(ctx.registry.coreSchema(ctx.type).id);
  const keys = Object.keys(body);
  const placements = keys.map((key) => (lower(key) === coreUrn ? null : placementOf(key, ctx)));
  if (placements.every((p) => p === undefined)) return body;

  const out: JsonObject = {};
  keys.forEach((key, i) => {
    const placement = placements[i];
    const value = body[key];
    if (placement === null) {
      // An object keyed by the core URN holds core attributes.
      if (value === null) return;
      if (!isPlainObject(value)) throw invalidValue(`${ctx.registry.coreSchema(ctx.type).id} must be an object of attributes`);
      for (const inner of Object.keys(value)) {
        if (lower(inner) === 'schemas') throw invalidSyntax(`"schemas" belongs at the top of the ${ctx.type}, not inside its core schema`);
        place(out, [inner], value[inner], inner);
      }
    } else {
      place(out, placement ?? [key], value, key);
    }
  });
  return out;
}

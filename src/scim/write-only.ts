/**
 * Write-only attributes: `mutability: writeOnly` or `returned: never` (RFC 7643 §7; `password`, §4.1.1).
 * A client may send one and a connector may forward it to the native API, but it never leaves the gateway
 * again — no response carries it — and it is not kept: what is stored, and so what is ever rendered, is
 * the resource without it.
 */

import type { JsonObject } from '../store/types.js';
import type { ResourceTypeName, SchemaRegistry } from './schemas/registry.js';
import type { AttributeDefinition } from './schemas/types.js';
import { isPlainObject, setOwn } from './validate/json.js';

export interface WriteOnlyContext {
  registry: SchemaRegistry;
  type: ResourceTypeName;
}

export const isWriteOnly = (def: AttributeDefinition): boolean => def.returned === 'never' || def.mutability === 'writeOnly';

const lower = (s: string) => s.toLowerCase();

/** `value` (an object of attributes defined by `defs`) without its write-only attributes; itself when it has none. */
function strip(value: JsonObject, defs: readonly AttributeDefinition[]): JsonObject {
  let out: JsonObject | undefined;
  for (const key of Object.keys(value)) {
    const def = defs.find((d) => lower(d.name) === lower(key));
    if (!def) continue;
    let kept: unknown = value[key];
    if (isWriteOnly(def)) kept = undefined;
    else if (def.subAttributes?.some(isWriteOnly)) kept = stripComplex(value[key], def.subAttributes);
    if (kept === value[key]) continue;
    out ??= { ...value };
    if (kept === undefined) delete out[key];
    else setOwn(out, key, kept);
  }
  return out ?? value;
}

function stripComplex(value: unknown, subs: readonly AttributeDefinition[]): unknown {
  if (Array.isArray(value)) {
    const elements = value.map((e) => (isPlainObject(e) ? strip(e, subs) : e));
    return elements.every((e, i) => e === value[i]) ? value : elements;
  }
  return isPlainObject(value) ? strip(value, subs) : value;
}

/** Per app and type, the (lower-cased) top-level keys under which a write-only value can sit. */
const keysWithWriteOnly = new WeakMap<SchemaRegistry, Map<ResourceTypeName, ReadonlySet<string>>>();

function writeOnlyKeys(ctx: WriteOnlyContext): ReadonlySet<string> {
  let byType = keysWithWriteOnly.get(ctx.registry);
  if (!byType) keysWithWriteOnly.set(ctx.registry, (byType = new Map()));
  let keys = byType.get(ctx.type);
  if (!keys) {
    const holds = (def: AttributeDefinition) => isWriteOnly(def) || (def.subAttributes?.some(isWriteOnly) ?? false);
    const core = ctx.registry.coreSchema(ctx.type).attributes.filter(holds).map((d) => lower(d.name));
    const extensions = ctx.registry.extensionSchemas(ctx.type).filter((s) => s.attributes.some(holds)).map((s) => lower(s.id));
    byType.set(ctx.type, (keys = new Set([...core, ...extensions])));
  }
  return keys;
}

/** The resource without any write-only attribute, core or extension; the same object when it holds none. */
export function withoutWriteOnly(resource: JsonObject, ctx: WriteOnlyContext): JsonObject {
  // Most resources hold none: one look at their keys answers that (this runs on every resource read).
  const keys = writeOnlyKeys(ctx);
  if (!Object.keys(resource).some((key) => keys.has(lower(key)))) return resource;
  const core = ctx.registry.coreSchema(ctx.type);
  let out = strip(resource, core.attributes);
  for (const extension of ctx.registry.extensionSchemas(ctx.type)) {
    const key = Object.keys(out).find((k) => lower(k) === lower(extension.id));
    const value = key === undefined ? undefined : out[key];
    if (!isPlainObject(value)) continue;
    const stripped = strip(value, extension.attributes);
    if (stripped === value) continue;
    if (out === resource) out = { ...resource };
    if (Object.keys(stripped).length > 0) {
      setOwn(out, key!, stripped);
      continue;
    }
    // Nothing left of the extension: it goes, and so does its URN from `schemas`.
    delete out[key!];
    if (Array.isArray(out.schemas)) out.schemas = out.schemas.filter((s) => typeof s !== 'string' || lower(s) !== lower(extension.id));
  }
  return out;
}

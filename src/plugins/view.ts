/**
 * What a json-logic rule sees of a SCIM resource. json-logic's `var` splits its path at dots, so it
 * cannot address `urn:…:enterprise:2.0:User` (the URN has "2.0" in it): in the view, each extension the
 * plugin declares sits under its alias (`enterprise.manager.value`, `fifteen.startDate`), core attributes
 * under their schema names (`name.givenName`, `emails`), and `now` is the time of the call.
 */
import { commonAttributes } from '../scim/schemas/core.js';
import type { AttributeDefinition } from '../scim/schemas/types.js';
import type { JsonObject } from '../store/types.js';
import type { PathScope } from './scim-paths.js';

/** Names every view has besides attributes and aliases. `value` only exists in rules with `from`. */
export const VIEW_EXTRAS = ['value', 'now'] as const;

function byName(list: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const wanted = name.toLowerCase();
  return list.find((a) => a.name.toLowerCase() === wanted);
}

/** The view of `resource` (canonical SCIM, as the resource service hands it over). */
export function scimView(resource: JsonObject, scope: PathScope): JsonObject {
  const core = scope.registry.coreSchema(scope.type);
  const byUrn = new Map([...scope.aliases].map(([alias, urn]) => [urn.toLowerCase(), alias]));
  const view: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    const def = byName(core.attributes, key) ?? byName(commonAttributes, key);
    if (def) {
      view[def.name] = value;
      continue;
    }
    const alias = byUrn.get(key.toLowerCase());
    if (alias !== undefined) view[alias] = value;
  }
  return view;
}

/** Why `{"var": path}` names nothing the view of a `type` resource can hold, or undefined. */
export function checkViewVar(path: string, scope: PathScope, withValue: boolean): string | undefined {
  if (path === '') return undefined; // the whole view
  const [head, ...rest] = path.split('.');
  if (head === 'now') return rest.length === 0 ? undefined : '"now" is a string; it has no fields';
  if (head === 'value') return withValue ? undefined : '"value" only exists in a rule that has "from"';
  const core = scope.registry.coreSchema(scope.type);
  const def = byName(core.attributes, head!) ?? byName(commonAttributes, head!);
  if (def) return checkSegments(def, rest, path);
  const urn = scope.aliases.get(head!);
  if (urn === undefined) {
    const aliases = [...scope.aliases.keys()];
    return `"${head}" in "${path}" is neither a ${scope.type} attribute nor an alias (aliases: ${aliases.join(', ') || 'none'})`;
  }
  if (rest.length === 0) return undefined;
  const schema = scope.registry.extensionSchema(scope.type, urn);
  const attr = schema && byName(schema.attributes, rest[0]!);
  if (!attr) return `"${rest[0]}" in "${path}" is not an attribute of ${urn}`;
  return checkSegments(attr, rest.slice(1), path);
}

function checkSegments(def: AttributeDefinition, segments: string[], path: string): string | undefined {
  const current = def;
  let i = 0;
  if (current.multiValued && segments[0] !== undefined && /^\d+$/.test(segments[0])) i = 1;
  const next = segments[i];
  if (next === undefined) return undefined;
  if (current.multiValued && i === 0) return `"${current.name}" in "${path}" is a list: index it (e.g. "${current.name}.0.${next}")`;
  if (current.type !== 'complex') return `"${current.name}" in "${path}" has no sub-attributes`;
  const sub = byName(current.subAttributes ?? [], next);
  if (!sub) return `"${next}" in "${path}" is not a sub-attribute of "${current.name}"`;
  if (segments.length > i + 1) return `"${path}" goes deeper than "${current.name}.${sub.name}"`;
  return undefined;
}

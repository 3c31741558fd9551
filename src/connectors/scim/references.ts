/**
 * References between the gateway's ids and the app's: the gateway answers its own SCIM ids (manager,
 * group members) and the app knows only its own. Outbound, each reference becomes the app's id; an
 * adopted record's references come back as the gateway's ids. A reference the other side does not know
 * is left out rather than sent dangling, except a member joining a group in the app: refused, as the
 * app's group would otherwise quietly differ from the gateway's. `$ref`s are never forwarded.
 */
import { invalidValue } from '../../scim/errors.js';
import { ENTERPRISE_USER_SCHEMA } from '../../scim/schemas/core.js';
import type { ResourceTypeName } from '../../scim/schemas/registry.js';
import type { JsonObject } from '../../store/types.js';
import { findKey, isObject } from '../../scim/patch/json.js';

type Lookup = (type: ResourceTypeName, id: string) => Promise<string | undefined>;

/**
 * Rewrites manager (users) and members (groups) through `lookup`, in place. A member `joining` says is
 * joining (by its id before the lookup) must be found: else 400 invalidValue naming `where`.
 */
export async function mapReferences(type: ResourceTypeName, resource: JsonObject, lookup: Lookup, joining?: { has(id: string): boolean; where: string }): Promise<void> {
  if (type === 'User') {
    const extKey = findKey(resource, ENTERPRISE_USER_SCHEMA);
    const ext = extKey === undefined ? undefined : resource[extKey];
    if (!isObject(ext)) return;
    const managerKey = findKey(ext, 'manager');
    const manager = managerKey === undefined ? undefined : ext[managerKey];
    if (!isObject(manager) || typeof manager.value !== 'string') return;
    const mapped = await lookup('User', manager.value);
    if (mapped === undefined) delete ext[managerKey!];
    else ext[managerKey!] = { value: mapped };
    return;
  }
  const membersKey = findKey(resource, 'members');
  const members = membersKey === undefined ? undefined : resource[membersKey];
  if (!Array.isArray(members)) return;
  // All at once: the lookups of one write are batched into one store query (service/native-ids.ts).
  const refs = members.filter((m): m is JsonObject & { value: string } => isObject(m) && typeof m.value === 'string');
  const found = await Promise.all(refs.map((m) => lookup(m.type === 'Group' ? 'Group' : 'User', m.value)));
  const mapped: JsonObject[] = [];
  refs.forEach((member, i) => {
    const value = found[i];
    if (value === undefined && joining?.has(member.value)) throw invalidValue(`The member ${member.value} has no record in ${joining.where}`);
    if (value !== undefined) mapped.push({ value, ...(member.type === undefined ? {} : { type: member.type }) });
  });
  resource[membersKey!] = mapped;
}

/** What the app assigns or computes and never takes from a client (RFC 7643 §3.1, readOnly `groups`). */
export function withoutServerAttributes(resource: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (['id', 'meta', 'groups'].includes(key.toLowerCase())) continue;
    out[key] = value;
  }
  return out;
}

/**
 * Membership kept on the member (15Five's `company_groups_ids`): a SCIM group change becomes, for every
 * user who joined or left, an update of that user's whole list of native group ids — the whole list,
 * since the API replaces it (an empty list leaves every group). The list is the user's groups in the
 * gateway (before this change commits), this group added or taken out. The resource service holds a
 * claim on each of those users meanwhile, so two group changes never write one user's list at once.
 */
import { invalidValue } from '../../scim/errors.js';
import { USER_SCHEMA } from '../../scim/schemas/core.js';
import type { JsonObject } from '../../store/types.js';
import { setNative } from '../../plugins/native-paths.js';
import type { CompiledResource, MembersOn } from '../../plugins/types.js';
import type { ConnectorContext } from '../types.js';

/** The SCIM ids of a group resource's members. */
export function membersOf(resource: JsonObject | undefined): Set<string> {
  const members = resource?.members;
  if (!Array.isArray(members)) return new Set();
  return new Set(members.flatMap((m) => (typeof m === 'object' && m !== null && typeof (m as JsonObject).value === 'string' ? [(m as JsonObject).value as string] : [])));
}

/** The update fields that take a deleted user out of every group (the whole list, emptied), when it had any. */
export async function leaveEveryGroup(members: MembersOn | undefined, user: JsonObject, ctx: ConnectorContext): Promise<JsonObject | undefined> {
  if (members?.on !== 'user' || typeof user.id !== 'string') return undefined;
  if ((await ctx.groupsOf(user.id)).length === 0) return undefined;
  const fields: JsonObject = {};
  setNative(fields, members.field, []);
  return fields;
}

export interface MembershipChange {
  groupNativeId: string;
  /** Undefined while the group is being created (the store knows no membership of it yet). */
  groupScimId?: string;
  before: JsonObject;
  after: JsonObject;
}

export async function writeMemberships(
  plugin: { users: CompiledResource; members: Extract<MembersOn, { on: 'user' }>; name: string },
  change: MembershipChange,
  ctx: ConnectorContext,
  send: (userNativeId: string, fields: JsonObject, user: JsonObject) => Promise<unknown>,
): Promise<void> {
  const old = membersOf(change.before);
  const next = membersOf(change.after);
  const affected = [...new Set([...old, ...next])].filter((id) => old.has(id) !== next.has(id)).sort();
  for (const userId of affected) {
    const userNativeId = await ctx.nativeIdOf('User', userId);
    if (userNativeId === undefined) {
      if (next.has(userId)) throw invalidValue(`The member ${userId} has no record in ${plugin.name}`);
      continue; // never reached the native API: nothing to take it out of
    }
    const others = (await ctx.groupsOf(userId)).filter((g) => g !== change.groupScimId);
    const ids = (await Promise.all(others.map((g) => ctx.nativeIdOf('Group', g)))).filter((id): id is string => id !== undefined);
    if (next.has(userId)) ids.push(change.groupNativeId);
    const list = [...new Set(ids)].map((id) => (plugin.members.as === 'integer' && /^-?\d{1,15}$/.test(id) ? Number(id) : id));
    const fields: JsonObject = {};
    setNative(fields, plugin.members.field, list);
    // The hook sees which user the write is about; the gateway does not load the whole user for it.
    await send(userNativeId, fields, { schemas: [USER_SCHEMA], id: userId });
  }
}

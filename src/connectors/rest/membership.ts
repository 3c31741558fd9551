/**
 * Membership kept on the member (15Five's `company_groups_ids`): a SCIM group change becomes, for every
 * user who joined or left, an update of that user's whole list of native group ids — the whole list,
 * since the API replaces it (an empty list leaves every group). The list is the user's groups in the
 * gateway (before this change commits), this group added or taken out. The resource service holds a
 * claim on each of those users meanwhile, so two group changes never write one user's list at once.
 */
import { invalidValue } from '../../scim/errors.js';
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
    await send(userNativeId, fields, { schemas: [], id: userId });
  }
}

/** Group member lists in the SQLite store (normalized by ../member-list.ts before they get here). */

import { planMemberWrite } from '../member-list.js';
import { parseObject } from '../records.js';
import { StoreError, type MemberRecord } from '../types.js';
import type { Statements } from './statements.js';

/**
 * Stores the member list of a group that has none at this point; runs inside the caller's transaction,
 * so 'missing_members' (naming every id that is not a resource of the app) leaves nothing written.
 */
export function insertMembers(s: Statements, app: string, groupId: string, members: readonly MemberRecord[]): MemberRecord[] {
  assertMembersExist(s, app, members);
  members.forEach((m, position) => s.insertMember.run(app, groupId, m.value, position, JSON.stringify(m.raw)));
  return [...members];
}

/**
 * Makes a group's stored member list `members` (normalized) by writing only what differs (planMemberWrite).
 * Runs inside the caller's transaction, like insertMembers.
 */
export function replaceMembers(s: Statements, app: string, groupId: string, members: readonly MemberRecord[]): MemberRecord[] {
  const plan = planMemberWrite(new Map(s.memberRowsOf.all(app, groupId).map((row) => [row.member_id, row])), members);
  if (plan.whole) {
    s.deleteMembersOf.run(app, groupId);
    return insertMembers(s, app, groupId, members);
  }
  assertMembersExist(s, app, plan.added);
  if (plan.gone.length > 0) s.deleteMembersIn.run({ app, group_id: groupId, ids: JSON.stringify(plan.gone) });
  for (const m of plan.added) s.insertMember.run(app, groupId, m.value, m.position, m.raw);
  for (const m of plan.changed) s.updateMemberRaw.run(m.raw, app, groupId, m.value);
  return [...members];
}

/** 'missing_members', naming every id of `members` that is not a resource of the app. */
function assertMembersExist(s: Statements, app: string, members: readonly { value: string }[]): void {
  if (members.length === 0) return;
  const ids = members.map((m) => m.value);
  const existing = new Set(s.existingIds.all({ app, ids: JSON.stringify(ids) }).map((r) => r.id));
  const missing = ids.filter((id) => !existing.has(id));
  if (missing.length > 0) {
    throw new StoreError('missing_members', `${missing.length} member(s) do not exist`, { ids: missing });
  }
}

/** The members of many groups in one statement, each list in stored order. */
export function loadMembers(s: Statements, app: string, groupIds: readonly string[]): Map<string, MemberRecord[]> {
  const byGroup = new Map<string, MemberRecord[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return byGroup;
  for (const row of s.membersOf.all({ app, ids: JSON.stringify(groupIds) })) {
    byGroup.get(row.group_id)?.push({ value: row.member_id, raw: parseObject(row.raw, 'member') });
  }
  return byGroup;
}

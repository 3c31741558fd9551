/** Group member lists in the SQLite store (normalized by ../member-list.ts before they get here). */

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
 * Makes a group's stored member list `members` (normalized) by writing only what differs, so adding one
 * member to a group of 50,000 writes one row, not 50,000: rows of members no longer listed are deleted,
 * new members inserted after the last position, changed raw objects updated. Positions only order the
 * list, gaps are fine; when the members that stay are not in their stored order, or a new one comes
 * before one that stays (a PUT that reorders), the list is written again whole. Runs inside the caller's
 * transaction, like insertMembers.
 */
export function replaceMembers(s: Statements, app: string, groupId: string, members: readonly MemberRecord[]): MemberRecord[] {
  const stored = new Map(s.memberRowsOf.all(app, groupId).map((row) => [row.member_id, row]));
  if (!keepsStoredOrder(stored, members)) {
    s.deleteMembersOf.run(app, groupId);
    return insertMembers(s, app, groupId, members);
  }
  const added = members.filter((m) => !stored.has(m.value));
  assertMembersExist(s, app, added);
  const listed = new Set(members.map((m) => m.value));
  const gone = [...stored.keys()].filter((id) => !listed.has(id));
  if (gone.length > 0) s.deleteMembersIn.run({ app, group_id: groupId, ids: JSON.stringify(gone) });
  let position = 0;
  for (const m of members) {
    const row = stored.get(m.value);
    const raw = JSON.stringify(m.raw);
    if (row === undefined) s.insertMember.run(app, groupId, m.value, position++, raw);
    else {
      position = row.position + 1;
      if (row.raw !== raw) s.updateMemberRaw.run(raw, app, groupId, m.value);
    }
  }
  return [...members];
}

/** True when the listed members that are stored keep their stored order and every new one comes after them. */
function keepsStoredOrder(stored: ReadonlyMap<string, { position: number }>, members: readonly MemberRecord[]): boolean {
  let last = -1;
  let sawNew = false;
  for (const m of members) {
    const row = stored.get(m.value);
    if (row === undefined) sawNew = true;
    else if (sawNew || row.position <= last) return false;
    else last = row.position;
  }
  return true;
}

/** 'missing_members', naming every id of `members` that is not a resource of the app. */
function assertMembersExist(s: Statements, app: string, members: readonly MemberRecord[]): void {
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

/** Group member lists in the SQLite store (normalized by ../member-list.ts before they get here). */

import { parseObject } from '../records.js';
import { StoreError, type MemberRecord } from '../types.js';
import type { Statements } from './statements.js';

/**
 * Stores the member list of a group that has none at this point; runs inside the caller's transaction,
 * so 'missing_members' (naming every id that is not a resource of the app) leaves nothing written.
 */
export function insertMembers(s: Statements, app: string, groupId: string, members: readonly MemberRecord[]): void {
  if (members.length === 0) return;
  const ids = members.map((m) => m.value);
  const existing = new Set(s.existingIds.all({ app, ids: JSON.stringify(ids) }).map((r) => r.id));
  const missing = ids.filter((id) => !existing.has(id));
  if (missing.length > 0) {
    throw new StoreError('missing_members', `${missing.length} member(s) do not exist`, { ids: missing });
  }
  members.forEach((m, position) => s.insertMember.run(app, groupId, m.value, position, JSON.stringify(m.raw)));
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
